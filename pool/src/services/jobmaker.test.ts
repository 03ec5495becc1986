import { describe, expect, it } from 'vitest';
import { mainnetBlockRaw } from '../ckb/testing/fixtures/index.js';
import { templateFromBlock } from '../ckb/testing/fixtures/template.js';
import { templateBehindTip } from './jobmaker.js';

describe('templateBehindTip', () => {
  const mined = mainnetBlockRaw();
  const t = templateFromBlock(mined, 9); // number N, parent P
  const n = BigInt(t.number);
  const other = '0x' + 'cd'.repeat(32);

  it('follows when it builds on the tip, or no tip is known', () => {
    expect(templateBehindTip(t, { hash: t.parent_hash, number: n - 1n })).toBe(false);
    expect(templateBehindTip(t, undefined)).toBe(false);
  });

  it('is behind when the tip moved to its height or past it on another block', () => {
    expect(templateBehindTip(t, { hash: mined.header.hash, number: n })).toBe(true);
    expect(templateBehindTip(t, { hash: other, number: n + 5n })).toBe(true);
    // A reorg at the parent's height: same height, another parent.
    expect(templateBehindTip(t, { hash: other, number: n - 1n })).toBe(true);
  });

  it('is not behind when it is for a later height than the tip (the watcher lags)', () => {
    expect(templateBehindTip(t, { hash: other, number: n - 2n })).toBe(false);
  });
});
