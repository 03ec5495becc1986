/**
 * The bounded fuzz run of `npm test`: every target from its committed corpus for a few seconds
 * (coverage-guided), zero crashes expected. Long campaigns: docs/testing.md#fuzzing.
 */
import { describe, expect, it } from 'vitest';
import { campaign } from './engine.js';
import { readCorpus } from './corpus.js';
import { TARGETS } from './targets.js';

// Per target: ~5 s or 200k inputs, whichever first (5 targets: ~30 s of the suite on a busy machine).
const SECONDS = Number(process.env.EAGLEPOOL_FUZZ_SECONDS ?? 5);
const RUNS = 200_000;

describe('fuzzing (bounded run)', () => {
  for (const target of TARGETS) {
    it(`${target.name}: no crash, hang or undocumented error from the corpus and its mutations`, () => {
      const seeds = readCorpus(target.name);
      expect(seeds.length, `corpus pool/fuzz/corpus/${target.name}`).toBeGreaterThan(0);
      const r = campaign(target, seeds, {
        runs: RUNS,
        seconds: SECONDS,
        seed: Date.now() >>> 0,
        stopOnCrash: true,
      });
      console.log(
        `fuzz ${r.target}: ${r.inputs} inputs, ${r.coveredBlocks} blocks, corpus ${r.corpusSize}, ${r.crashes.length} crashes`,
      );
      const first = r.crashes[0];
      expect(
        first && `${Buffer.from(first.input).toString('hex')}\n${first.error}`,
        `${r.inputs} inputs tried`,
      ).toBeUndefined();
      expect(r.inputs).toBeGreaterThan(seeds.length);
    }, 120_000);
  }
});
