/**
 * Eaglesong (CKB proof of work) backed by Rust compiled to WebAssembly (pool/eaglesong).
 *
 * CKB's PoW hash is eaglesong(pow_hash (32 bytes) || nonce (u128, 16 bytes LE)); a digest
 * meets a target when read as a big-endian 256-bit integer it is <= the target.
 * `EaglesongJob` caches the per-job midstate so that a share check costs one permutation;
 * its hot methods (`hash` with `out`, `meets`) do not allocate.
 */
import { eaglesongWasm as w } from './wasm.js';

const fn = w.exports;

function expectLength(name: string, bytes: Uint8Array, length: number): void {
  if (bytes.length !== length) throw new RangeError(`${name} must be ${length} bytes, got ${bytes.length}`);
}

/** 32-byte Eaglesong digest of any input. */
export function eaglesongHash(input: Uint8Array): Uint8Array {
  const cap = w.data.length;
  fn.es_sponge_reset();
  let offset = 0;
  // Inputs larger than the buffer go in whole buffers (a multiple of the 32-byte rate).
  while (input.length - offset > cap) {
    w.data.set(input.subarray(offset, offset + cap));
    fn.es_sponge_absorb(cap);
    offset += cap;
  }
  w.data.set(input.subarray(offset));
  fn.es_sponge_finish(input.length - offset);
  return w.digest.slice();
}

/** eaglesong(powHash (32 bytes) || nonce (16 bytes, u128 LE)): the CKB PoW hash. */
export function ckbPowHash(powHash: Uint8Array, nonce: Uint8Array): Uint8Array {
  expectLength('powHash', powHash, 32);
  expectLength('nonce', nonce, 16);
  w.data.set(powHash, 0);
  w.data.set(nonce, 32);
  fn.es_pow_hash();
  return w.digest.slice();
}

/** Id of the job whose midstate is currently in wasm memory (0: none). */
let loadedJob = 0;
let lastJobId = 0;

/** Copies a 16-byte nonce into wasm memory (a plain loop: ~15 ns, `set`: ~18 ns, measured). */
function writeNonce(nonce: Uint8Array): void {
  expectLength('nonce', nonce, 16);
  const dst = w.nonce;
  for (let i = 0; i < 16; i++) dst[i] = nonce[i]!;
}

/**
 * Per-job Eaglesong state: absorbs `powHash` once; each nonce then costs one permutation.
 * The midstate lives in JS (64 bytes) and is copied into wasm memory only when a different
 * job was used last, so any number of jobs may coexist and none holds wasm memory.
 */
export class EaglesongJob {
  readonly #midstate = new Uint32Array(16);
  readonly #id = ++lastJobId;

  constructor(powHash: Uint8Array) {
    expectLength('powHash', powHash, 32);
    w.data.set(powHash, 0);
    fn.es_pow_midstate();
    this.#midstate.set(w.midstate);
    loadedJob = this.#id;
  }

  #load(): void {
    if (loadedJob !== this.#id) {
      w.midstate.set(this.#midstate);
      loadedJob = this.#id;
    }
  }

  /** Same value as `ckbPowHash(powHash, nonce)`, written to `out` when given. */
  hash(nonce: Uint8Array, out: Uint8Array = new Uint8Array(32)): Uint8Array {
    if (out.length < 32) throw new RangeError(`out must hold 32 bytes, got ${out.length}`);
    this.#load();
    writeNonce(nonce);
    fn.es_hash_nonce();
    const digest = w.digest;
    for (let i = 0; i < 32; i++) out[i] = digest[i]!;
    return out;
  }

  /** True when the PoW hash of `nonce`, read big-endian, is <= `targetBE` (32 bytes, big-endian). */
  meets(nonce: Uint8Array, targetBE: Uint8Array): boolean {
    expectLength('targetBE', targetBE, 32);
    this.#load();
    writeNonce(nonce);
    fn.es_hash_nonce();
    const digest = w.digest;
    for (let i = 0; i < 32; i++) {
      const d = digest[i]!;
      const t = targetBE[i]!;
      if (d !== t) return d < t;
    }
    return true;
  }

  /**
   * Miner search: hashes `base` (16 bytes) with bytes 12..16 replaced by the u32 LE values
   * start, start+1, …, start+count-1 and returns, in increasing order, those whose hash
   * meets `targetBE`. Requires start + count <= 2^32.
   */
  search(base: Uint8Array, start: number, count: number, targetBE: Uint8Array): number[] {
    expectLength('base', base, 16);
    expectLength('targetBE', targetBE, 32);
    if (
      !Number.isInteger(start) ||
      !Number.isInteger(count) ||
      start < 0 ||
      count < 0 ||
      start + count > 2 ** 32
    ) {
      throw new RangeError(
        `search range must satisfy 0 <= start, 0 <= count, start + count <= 2^32 (${start}, ${count})`,
      );
    }
    this.#load();
    w.nonce.set(base);
    w.target.set(targetBE);
    const found: number[] = [];
    const cap = w.hits.length;
    while (count > 0) {
      // The wasm count is a u32: 2^32 itself would wrap to 0, so pass at most 2^31 per call.
      const chunk = Math.min(count, 2 ** 31);
      const n = fn.es_search(start, chunk);
      for (let i = 0; i < n; i++) found.push(w.hits[i]!);
      // A full hit list may have stopped early: resume after the last hit.
      const next = n === cap ? w.hits[n - 1]! + 1 : start + chunk;
      count -= next - start;
      start = next;
    }
    return found;
  }

  /** Forgets this job in the module's cache; there is no wasm-side state to release. */
  free(): void {
    if (loadedJob === this.#id) loadedJob = 0;
  }
}
