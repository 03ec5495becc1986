import { describe, expect, it } from 'vitest';
import { mainnetBlockRaw, mainnetMultiTx } from './testing/fixtures/index.js';
import { templateFromBlock } from './testing/fixtures/template.js';
import { headerFromJson, headerHashOf } from './header.js';
import { CkbHexError, bytesToHex, hexToUint, isMinimalUintHex } from './hex.js';
import { compactToTarget } from './target.js';
import { CkbTemplateError, blockFromTemplate, verifyPow, workFromTemplate } from './work.js';

const HEADER_FIELDS = [
  'compact_target',
  'dao',
  'epoch',
  'extra_hash',
  'nonce',
  'number',
  'parent_hash',
  'proposals_hash',
  'timestamp',
  'transactions_root',
  'version',
];
const TX_FIELDS = ['cell_deps', 'header_deps', 'inputs', 'outputs', 'outputs_data', 'version', 'witnesses'];

describe('template → work → block, against real mainnet blocks', () => {
  it.each([
    ['#19804416', mainnetBlockRaw],
    ['#19804274', mainnetMultiTx],
  ])('%s: the template the node served rebuilds the mined block', (_name, load) => {
    const mined = load();
    const template = templateFromBlock(mined, 0x2a);
    const work = workFromTemplate(template);
    const expected = headerFromJson(mined.header);
    expect(work.workId).toBe('42');
    expect(work.number).toBe(expected.number);
    expect(work.compactTarget).toBe(expected.compactTarget);
    expect(work.target).toBe(compactToTarget(expected.compactTarget));
    expect(bytesToHex(work.header.transactionsRoot)).toBe(mined.header.transactions_root);
    expect(bytesToHex(work.header.extraHash)).toBe(mined.header.extra_hash);
    const nonce = hexToUint(mined.header.nonce, 128);
    expect(verifyPow(work.powHash, nonce, work.target)).toBe(true);

    const block = blockFromTemplate(template, nonce);
    const { hash: _hash, ...header } = mined.header;
    expect(block.header).toEqual(header);
    expect(Object.keys(block.header).sort()).toEqual(HEADER_FIELDS);
    expect(bytesToHex(headerHashOf(headerFromJson(block.header)))).toBe(mined.header.hash);
    expect(block.transactions).toEqual(mined.transactions.map(({ hash: _h, ...tx }) => tx));
    for (const tx of block.transactions) expect(Object.keys(tx).sort()).toEqual(TX_FIELDS);
    expect(block.extension).toBe(mined.extension);
    expect(block.proposals).toEqual(mined.proposals);
    expect(block.uncles).toEqual([]);
  });

  it('formats numbers as minimal hex (the node rejects leading zeros)', () => {
    const template = templateFromBlock(mainnetBlockRaw());
    for (const nonce of [0n, 1n, 0x10n, (1n << 128n) - 1n]) {
      const { header } = blockFromTemplate(template, nonce);
      for (const field of ['compact_target', 'epoch', 'nonce', 'number', 'timestamp', 'version'] as const) {
        expect(isMinimalUintHex(header[field])).toBe(true);
      }
      expect(hexToUint(header.nonce, 128)).toBe(nonce);
    }
  });

  it('a raised timestamp changes pow_hash and lands in the block header', () => {
    const template = templateFromBlock(mainnetBlockRaw());
    const base = workFromTemplate(template);
    const later = workFromTemplate(template, { timestamp: base.timestamp + 1000n });
    expect(later.powHash).not.toEqual(base.powHash);
    expect(
      hexToUint(blockFromTemplate(template, 5n, { timestamp: base.timestamp + 1000n }).header.timestamp),
    ).toBe(base.timestamp + 1000n);
  });

  it('omits extension when the template has none', () => {
    const template = { ...templateFromBlock(mainnetBlockRaw()), extension: null };
    const block = blockFromTemplate(template, 1n);
    expect('extension' in block).toBe(false);
    expect(bytesToHex(workFromTemplate(template).header.extraHash)).toBe('0x' + '00'.repeat(32));
  });
});

// Found by pool/fuzz (ckb-template): a template missing a member threw a bare TypeError from
// molecule.ts. The node's answer is untrusted: only CkbHexError / CkbTemplateError may come out.
describe('malformed templates', () => {
  const good = (): Record<string, unknown> => JSON.parse(JSON.stringify(templateFromBlock(mainnetMultiTx())));
  const work = (t: Record<string, unknown>): unknown => workFromTemplate(t as never);

  it('a transaction without its members is a CkbTemplateError', () => {
    const t = good();
    (t.transactions as { data: unknown }[])[0]!.data = {};
    expect(() => work(t)).toThrow(CkbTemplateError);
  });

  it('a missing cellbase or a non-array uncles is a CkbTemplateError', () => {
    const noCellbase = good();
    delete noCellbase.cellbase;
    expect(() => work(noCellbase)).toThrow(CkbTemplateError);
    const badUncles = good();
    badUncles.uncles = 5;
    expect(() => work(badUncles)).toThrow(CkbTemplateError);
  });

  // Found by the long ckb-template campaign (2026-12-08): an overflowing compact target threw
  // CkbTargetError out of workFromTemplate.
  it('a compact_target that overflows 256 bits is a CkbTemplateError', () => {
    const t = good();
    t.compact_target = '0xc91b3f4f';
    expect(() => work(t)).toThrow(CkbTemplateError);
    expect(() => work(t)).toThrow(/overflows 256 bits/);
  });

  it('bad hex stays a CkbHexError', () => {
    const t = good();
    t.compact_target = 'zz';
    expect(() => work(t)).toThrow(CkbHexError);
  });
});
