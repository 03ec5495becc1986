/**
 * `npm run bench`: runs every pool/bench/*.bench.ts module in one process, one after
 * another, and writes docs/benchmarks.md. A module default-exports
 * `() => Promise<BenchSection>`. `npm run bench -- NAME…` runs only the named modules
 * and prints their sections; add `--write` to replace just those sections in
 * docs/benchmarks.md (each section sits between `<!-- bench:NAME -->` markers).
 */
import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { BenchSection } from './measure.js';

const here = dirname(fileURLToPath(import.meta.url));
const output = join(here, '../../docs/benchmarks.md');
const args = process.argv.slice(2);
const write = args.length === 0 || args.includes('--write');
const only = args.filter((a) => a !== '--write');
const names = readdirSync(here)
  .filter((f) => f.endsWith('.bench.ts'))
  .map((f) => f.replace(/\.bench\.ts$/, ''))
  .filter((name) => only.length === 0 || only.includes(name))
  .sort();
const unknown = only.filter((name) => !names.includes(name));
if (unknown.length > 0) throw new Error(`no benchmark named ${unknown.join(', ')} in pool/bench`);

function machine(): string {
  const cpu = cpus()[0]?.model ?? 'unknown CPU';
  return (
    `${cpus().length} × ${cpu}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}, ` +
    new Date().toISOString().slice(0, 10)
  );
}

function block(name: string, section: BenchSection): string {
  return [
    `<!-- bench:${name} -->`,
    `## ${section.title}`,
    '',
    `_Measured ${machine()}._`,
    '',
    section.markdown,
    `<!-- /bench:${name} -->`,
  ].join('\n');
}

const blocks = new Map<string, string>();
for (const name of names) {
  console.error(`bench: ${name}`);
  const mod = (await import(pathToFileURL(join(here, `${name}.bench.ts`)).href)) as {
    default: () => Promise<BenchSection>;
  };
  const section = await mod.default();
  blocks.set(name, block(name, section));
  console.log(`\n## ${section.title}\n\n${section.markdown}\n`);
}

if (write) {
  const header = '# Benchmarks\n\nWritten by `npm run bench` (pool/bench/run.ts); do not edit by hand.\n';
  let text = only.length === 0 || !existsSync(output) ? header : readFileSync(output, 'utf8');
  for (const [name, content] of blocks) {
    const pattern = new RegExp(`<!-- bench:${name} -->[\\s\\S]*?<!-- /bench:${name} -->`);
    text = pattern.test(text) ? text.replace(pattern, () => content) : `${text.trimEnd()}\n\n${content}\n`;
  }
  writeFileSync(output, text.endsWith('\n') ? text : `${text}\n`);
  console.error(`bench: wrote ${[...blocks.keys()].join(', ')} to docs/benchmarks.md`);
}
