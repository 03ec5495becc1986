/** Helpers shared by this directory's tests (deterministic randomness, hex, fixture files). */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { RandomSource } from '../ellswift.js';

export const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');
export const unhex = (s: string): Uint8Array => Uint8Array.from(Buffer.from(s, 'hex'));

/** A reproducible RandomSource: SHA256(label ‖ counter) blocks. */
export function deterministicRandom(label: string): RandomSource {
  let counter = 0;
  return (n) => {
    const out = new Uint8Array(n);
    for (let o = 0; o < n; o += 32) {
      const block = createHash('sha256').update(label).update(String(counter++)).digest();
      out.set(block.subarray(0, Math.min(32, n - o)), o);
    }
    return out;
  };
}

export function readFixture(rel: string): string {
  return readFileSync(new URL(`../fixtures/${rel}`, import.meta.url), 'utf8');
}

/** Rows of a CSV file with a header line (no quoted fields). */
export function csvRows(rel: string): Record<string, string>[] {
  const [head, ...lines] = readFixture(rel).trim().split('\n');
  const keys = head!.split(',');
  return lines.map((l) => Object.fromEntries(l.split(',').map((v, i) => [keys[i]!, v])));
}
