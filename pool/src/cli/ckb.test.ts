import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { main } from './main.js';
import { mainnetBlockRaw } from '../ckb/testing/fixtures/index.js';

const dir = mkdtempSync(join(tmpdir(), 'eaglepool-ckb-'));
function file(name: string, json: unknown): string {
  const path = join(dir, name);
  writeFileSync(path, JSON.stringify(json));
  return path;
}

async function run(args: string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  vi.spyOn(console, 'log').mockImplementation((...a: unknown[]) => void out.push(a.join(' ')));
  vi.spyOn(console, 'error').mockImplementation((...a: unknown[]) => void err.push(a.join(' ')));
  const code = await main(args);
  return { code, out: out.join('\n'), err: err.join('\n') };
}

afterEach(() => vi.restoreAllMocks());

describe('eaglepool ckb pow', () => {
  const block = mainnetBlockRaw();

  it.each([
    ['a full block', block],
    ['a header view', block.header],
    ['an RPC response', { jsonrpc: '2.0', id: 1, result: block }],
  ])('checks %s', async (_name, json) => {
    const { code, out } = await run(['ckb', 'pow', '--header', file('ok.json', json)]);
    expect(code).toBe(0);
    expect(out).toContain('0x701f63f31cf6f40a4f68a570738b4516cd53f9a322607ea8b36932fca37c0472');
    expect(out).toContain(
      '0xf8513ddbfe3d49f964479821a41697940ec32b9eb6a9c0bb9641a7fe63fb3d86  (matches the JSON hash)',
    );
    expect(out).toMatch(/meets target\s+yes/);
  });

  it('exits 1 for a nonce that misses the target, and reports JSON', async () => {
    const header = { ...block.header, nonce: '0x1' };
    const { code, out } = await run(['ckb', 'pow', '--header', file('bad.json', header), '--json']);
    expect(code).toBe(1);
    const report = JSON.parse(out) as { meets: boolean; blockHash: string; statedHash: string };
    expect(report.meets).toBe(false);
    expect(report.blockHash).not.toBe(report.statedHash);
  });

  it('usage errors for missing flag and non-header JSON', async () => {
    expect((await run(['ckb', 'pow'])).code).toBe(2);
    const { code, err } = await run(['ckb', 'pow', '--header', file('x.json', { foo: 1 })]);
    expect(code).toBe(2);
    expect(err).toMatch(/no CKB header found/);
  });
});
