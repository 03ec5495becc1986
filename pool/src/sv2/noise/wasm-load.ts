/**
 * Loads one of the WebAssembly modules committed next to this file (built from pool/noise-wasm),
 * once and synchronously. The modules have no imports.
 */
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

interface WebAssemblyApi {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { exports: object };
}
const { Module, Instance } = (globalThis as unknown as { WebAssembly: WebAssemblyApi }).WebAssembly;

/** Next to this module (sources, or dist/ if copied there), else the source tree beside dist/. */
function wasmPath(fileName: string): string {
  const candidates = [
    new URL(`./${fileName}`, import.meta.url),
    new URL(`../../../../../pool/src/sv2/noise/${fileName}`, import.meta.url),
  ].map((u) => fileURLToPath(u));
  const found = candidates.find((p) => existsSync(p));
  if (!found) throw new Error(`${fileName} not found; looked in: ${candidates.join(', ')}`);
  return found;
}

export function instantiateWasm<T>(fileName: string): T {
  return new Instance(new Module(readFileSync(wasmPath(fileName))), {}).exports as T;
}
