/**
 * Loads the WebAssembly module committed next to this file (noise.wasm, built from pool/noise-wasm),
 * once and synchronously; every caller shares that one instance. The module has no imports.
 */
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

interface WebAssemblyApi {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { exports: object };
}
const { Module, Instance } = (globalThis as unknown as { WebAssembly: WebAssemblyApi }).WebAssembly;

const FILE_NAME = 'noise.wasm';

/** Next to this module (sources, or dist/ if copied there), else the source tree beside dist/. */
function wasmPath(): string {
  const candidates = [
    new URL(`./${FILE_NAME}`, import.meta.url),
    new URL(`../../../../../pool/src/sv2/noise/${FILE_NAME}`, import.meta.url),
  ].map((u) => fileURLToPath(u));
  const found = candidates.find((p) => existsSync(p));
  if (!found) throw new Error(`${FILE_NAME} not found; looked in: ${candidates.join(', ')}`);
  return found;
}

let exports: object | undefined;

/** The exports of the one noise.wasm instance, typed by the caller (each uses its own part). */
export function noiseWasm<T>(): T {
  exports ??= new Instance(new Module(readFileSync(wasmPath())), {}).exports;
  return exports as T;
}
