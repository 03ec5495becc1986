/**
 * The miner's nonce search over one u32 field of N: Eaglesong's batch search when the field is
 * N[12..16] (what the WASM searches), else one hash per nonce (firmware that rolls the head of N,
 * e.g. NerdMiner's counter at N[0..8]).
 */
import type { EaglesongJob } from '../eaglesong/index.js';

/** The values x in [start, start + count) whose N (`base` with x as u32 LE at `at`) meets `targetBE`. */
export function searchNonces(
  hasher: EaglesongJob,
  base: Uint8Array,
  at: number,
  start: number,
  count: number,
  targetBE: Uint8Array,
): number[] {
  if (at === 12) return hasher.search(base, start, count, targetBE);
  const n = Uint8Array.from(base);
  const view = new DataView(n.buffer);
  const found: number[] = [];
  for (let x = start; x < start + count; x++) {
    view.setUint32(at, x, true);
    if (hasher.meets(n, targetBE)) found.push(x);
  }
  return found;
}

/** N for a found value (inverse of the search's write). */
export function nonceWith(base: Uint8Array, at: number, x: number): Uint8Array {
  const n = Uint8Array.from(base);
  new DataView(n.buffer).setUint32(at, x, true);
  return n;
}
