/**
 * The layer rules of eslint.config.js (docs/architecture.md) only bind folders they name: every
 * folder of pool/src must be in exactly one layer, so a new folder cannot slip past them.
 */
import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
// @ts-expect-error: the ESLint config is plain JS without types
import { LAYERS } from '../../eslint.config.js';

describe('layers', () => {
  it('every folder of pool/src is in exactly one layer', () => {
    const layers = LAYERS as Record<string, string[]>;
    const folders = readdirSync(fileURLToPath(new URL('.', import.meta.url)), { withFileTypes: true })
      .filter((d) => d.isDirectory())
      .map((d) => d.name)
      .sort();
    const listed = Object.values(layers).flat();
    expect(
      folders.filter((f) => !listed.includes(f)),
      'folders in no layer',
    ).toEqual([]);
    expect(
      listed.filter((f, i) => listed.indexOf(f) !== i),
      'folders in two layers',
    ).toEqual([]);
    expect(
      listed.filter((f) => !folders.includes(f)),
      'layer entries without a folder',
    ).toEqual([]);
  });
});
