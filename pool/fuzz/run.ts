/**
 * Runs fuzz campaigns: `npx tsx pool/fuzz/run.ts [target…] [--runs N] [--seconds S] [--seed K] [--guided S] [--save]`.
 * `--guided S`: coverage guidance for the first S seconds only, then bulk mutation (volume).
 * Without targets, all of them. `--save` adds the inputs that reached new code to the committed
 * corpus. Crashing inputs are written to pool/fuzz/crashes/<target>/ (not committed: a fix adds a
 * regression test instead). Exits 1 if anything crashed.
 */
import { parseArgs } from 'node:util';
import { join } from 'node:path';
import { campaign } from './engine.js';
import { CORPUS_DIR, readCorpus, writeCorpus } from './corpus.js';
import { TARGETS, counters } from './targets.js';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    runs: { type: 'string', default: '100000' },
    seconds: { type: 'string', default: '60' },
    guided: { type: 'string' },
    seed: { type: 'string', default: '1' },
    save: { type: 'boolean', default: false },
  },
});
const chosen = positionals.length ? TARGETS.filter((t) => positionals.includes(t.name)) : TARGETS;
if (chosen.length !== (positionals.length || TARGETS.length)) {
  console.error(`targets: ${TARGETS.map((t) => t.name).join(', ')}`);
  process.exit(2);
}
let crashed = 0;
for (const target of chosen) {
  const before = { ...counters };
  const r = campaign(target, readCorpus(target.name), {
    runs: Number(values.runs),
    seconds: Number(values.seconds),
    seed: Number(values.seed),
    guidedSeconds: Number(values.guided ?? values.seconds),
    onProgress: (p) =>
      console.error(`  ${p.target}: ${p.inputs} inputs, ${p.coveredBlocks} blocks, corpus ${p.corpusSize}`),
  });
  const units = `${counters.frames - before.frames} frames, ${counters.v1Lines - before.v1Lines} V1 lines`;
  console.log(
    `${r.target}: ${r.inputs} inputs (${units}) in ${r.seconds.toFixed(1)} s, ` +
      `${Math.round(r.inputs / r.seconds)}/s, ${r.coveredBlocks} blocks covered, corpus ${r.corpusSize}, ` +
      `slowest ${r.slowestMs.toFixed(1)} ms, ${r.crashes.length} crashes`,
  );
  if (values.save) console.log(`  ${writeCorpus(target.name, r.corpus)} inputs added to the corpus`);
  if (r.crashes.length) {
    crashed += r.crashes.length;
    const dir = join(CORPUS_DIR, '..', 'crashes', target.name);
    writeCorpus(
      target.name,
      r.crashes.map((c) => c.input),
      dir,
    );
    for (const c of r.crashes.slice(0, 5))
      console.log(
        `  crash ${Buffer.from(c.input).toString('hex').slice(0, 200)}\n  ${c.error.split('\n').slice(0, 4).join('\n  ')}`,
      );
    console.log(`  inputs in ${dir}`);
  }
}
process.exit(crashed ? 1 : 0);
