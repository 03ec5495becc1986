/**
 * The product build (tsconfig.build.json → dist/ → the image) holds no test code: no *.test.ts, no
 * module of a testing/ folder, no devDependency. Asks tsc which files the build compiles, which
 * also catches a test module reached through a product import (an `exclude` does not stop that).
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../..', import.meta.url));
const devDependencies = Object.keys(
  (JSON.parse(readFileSync(`${root}/package.json`, 'utf8')) as { devDependencies: object }).devDependencies,
);
// Type declarations of Node and the compiler's own lib files are read by tsc, never shipped.
const TYPES_ONLY = ['@types/', 'typescript/lib/'];

function buildFiles(): string[] {
  const out = execFileSync(
    `${root}/node_modules/.bin/tsc`,
    ['-p', 'tsconfig.build.json', '--listFilesOnly'],
    {
      cwd: root,
      encoding: 'utf8',
    },
  );
  return out
    .trim()
    .split('\n')
    .map((f) => relative(root, f));
}

describe('product build', () => {
  it('compiles no test module and no devDependency', { timeout: 120_000 }, () => {
    const files = buildFiles();
    expect(files.filter((f) => f.startsWith('pool/src/cli/')).length).toBeGreaterThan(5);
    const own = files.filter((f) => !f.startsWith('node_modules/'));
    expect(own.filter((f) => /\.test\.ts$|(^|\/)testing\//.test(f))).toEqual([]);
    const packages = files
      .filter(
        (f) => f.startsWith('node_modules/') && !TYPES_ONLY.some((t) => f.startsWith(`node_modules/${t}`)),
      )
      .map((f) =>
        f
          .split('/')
          .slice(1, f.split('/')[1]!.startsWith('@') ? 3 : 2)
          .join('/'),
      );
    expect([...new Set(packages)].filter((p) => devDependencies.includes(p))).toEqual([]);
  });
});
