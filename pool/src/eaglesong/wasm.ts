/**
 * Loads the Eaglesong WebAssembly module (built from pool/eaglesong, committed as
 * eaglesong.wasm next to this file) once, synchronously, and exposes its raw exports and
 * typed-array views on its I/O buffers. The module has no imports and never grows its
 * memory, so the views stay valid for the life of the process.
 *
 * Most code should use ./index.ts; this layer exists for it and for the benchmark.
 */
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** The part of the WebAssembly JS API used here (the project's TS lib has no DOM types). */
interface WebAssemblyApi {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { exports: object };
}
const { Module, Instance } = (globalThis as unknown as { WebAssembly: WebAssemblyApi }).WebAssembly;

/** Raw exports of eaglesong.wasm (see pool/eaglesong/src/wasm.rs). */
export interface EaglesongExports {
  memory: { buffer: ArrayBuffer };
  es_midstate_ptr(): number;
  es_nonce_ptr(): number;
  es_target_ptr(): number;
  es_digest_ptr(): number;
  es_hits_ptr(): number;
  es_hits_cap(): number;
  es_data_ptr(): number;
  es_data_cap(): number;
  es_sponge_reset(): void;
  es_sponge_absorb(len: number): void;
  es_sponge_finish(len: number): void;
  es_pow_midstate(): void;
  es_pow_hash(): void;
  es_hash_nonce(): void;
  /** 4-lane SIMD search (scalar for the last count % 4 nonces); returns the number of hits. */
  es_search(start: number, count: number): number;
  /** Scalar search, same contract (kept for comparison in the benchmark). */
  es_search_scalar(start: number, count: number): number;
}

export interface EaglesongWasm {
  readonly exports: EaglesongExports;
  /** Job midstate used by es_hash_nonce / es_search (16 words). */
  readonly midstate: Uint32Array;
  /** Nonce (16 bytes, u128 LE) for es_hash_nonce; base nonce for searches. */
  readonly nonce: Uint8Array;
  /** Big-endian 32-byte target for searches. */
  readonly target: Uint8Array;
  /** Last digest (32 bytes). */
  readonly digest: Uint8Array;
  /** Search hits (u32 nonce values). */
  readonly hits: Uint32Array;
  /** General input buffer (messages, pow_hash, pow_hash || nonce). */
  readonly data: Uint8Array;
}

/**
 * Where the .wasm may be, for a module at `moduleUrl`: next to it (sources under tsx; dist/
 * after `npm run build`, whose postbuild step copies it), else the source tree beside a
 * dist/ produced by a bare `tsc` (dist/pool/src/eaglesong/ → pool/src/eaglesong/).
 */
export function wasmCandidates(moduleUrl: string): string[] {
  return [
    new URL('./eaglesong.wasm', moduleUrl),
    new URL('../../../../pool/src/eaglesong/eaglesong.wasm', moduleUrl),
  ].map((url) => fileURLToPath(url));
}

function wasmPath(): string {
  const candidates = wasmCandidates(import.meta.url);
  const found = candidates.find((p) => existsSync(p));
  if (!found) throw new Error(`eaglesong.wasm not found; looked in: ${candidates.join(', ')}`);
  return found;
}

export function loadEaglesongWasm(path: string = wasmPath()): EaglesongWasm {
  const module = new Module(readFileSync(path));
  const exports = new Instance(module, {}).exports as EaglesongExports;
  const buffer = exports.memory.buffer;
  return {
    exports,
    midstate: new Uint32Array(buffer, exports.es_midstate_ptr(), 16),
    nonce: new Uint8Array(buffer, exports.es_nonce_ptr(), 16),
    target: new Uint8Array(buffer, exports.es_target_ptr(), 32),
    digest: new Uint8Array(buffer, exports.es_digest_ptr(), 32),
    hits: new Uint32Array(buffer, exports.es_hits_ptr(), exports.es_hits_cap()),
    data: new Uint8Array(buffer, exports.es_data_ptr(), exports.es_data_cap()),
  };
}

/** The process-wide instance. */
export const eaglesongWasm: EaglesongWasm = loadEaglesongWasm();
