/** The committed corpus: pool/fuzz/corpus/<target>/<sha256 prefix>, one input per file. */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export const CORPUS_DIR = new URL('./corpus/', import.meta.url).pathname;

export function readCorpus(target: string): Uint8Array[] {
  const dir = join(CORPUS_DIR, target);
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .sort()
    .map((f) => new Uint8Array(readFileSync(join(dir, f))));
}

/** Writes inputs under their hash (existing ones stay); returns how many were new. */
export function writeCorpus(target: string, inputs: Uint8Array[], dir = join(CORPUS_DIR, target)): number {
  mkdirSync(dir, { recursive: true });
  const have = new Set(readdirSync(dir));
  let added = 0;
  for (const input of inputs) {
    const name = createHash('sha256').update(input).digest('hex').slice(0, 16);
    if (have.has(name)) continue;
    writeFileSync(join(dir, name), input);
    have.add(name);
    added++;
  }
  return added;
}
