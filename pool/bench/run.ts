/**
 * `npm run bench`: runs every pool/bench/*.bench.ts module in one process, one after
 * another, and writes docs/benchmarks.md. A module default-exports
 * `() => Promise<BenchSection>`. `npm run bench -- NAME…` runs only the named modules
 * and prints their sections without rewriting the file.
 */
import { readdirSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { BenchSection } from './measure.js';

const here = dirname(fileURLToPath(import.meta.url));
const only = process.argv.slice(2);
const modules = readdirSync(here)
  .filter((f) => f.endsWith('.bench.ts'))
  .filter((f) => only.length === 0 || only.includes(f.replace(/\.bench\.ts$/, '')))
  .sort();

const sections: BenchSection[] = [];
for (const file of modules) {
  console.error(`bench: ${file}`);
  const mod = (await import(pathToFileURL(join(here, file)).href)) as {
    default: () => Promise<BenchSection>;
  };
  const section = await mod.default();
  sections.push(section);
  console.log(`\n## ${section.title}\n\n${section.markdown}\n`);
}

if (only.length === 0) {
  const cpu = cpus()[0]?.model ?? 'unknown CPU';
  const header = [
    '# Benchmarks',
    '',
    'Written by `npm run bench` (pool/bench/run.ts); do not edit by hand.',
    '',
    `Machine: ${cpus().length} × ${cpu}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}, ` +
      `${new Date().toISOString().slice(0, 10)}.`,
    '',
  ].join('\n');
  const body = sections.map((s) => `## ${s.title}\n\n${s.markdown}\n`).join('\n');
  writeFileSync(join(here, '../../docs/benchmarks.md'), `${header}\n${body}`);
  console.error('bench: wrote docs/benchmarks.md');
}
