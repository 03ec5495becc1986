import { afterEach, describe, expect, it, vi } from 'vitest';
import { main } from './main.js';

function run(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  vi.spyOn(console, 'log').mockImplementation((s: string) => void out.push(s));
  vi.spyOn(console, 'error').mockImplementation((s: string) => void err.push(s));
  return main(argv).then((code) => ({ code, out: out.join('\n'), err: err.join('\n') }));
}

describe('eaglepool pool dev / miner / pool stratum flags', () => {
  afterEach(() => vi.restoreAllMocks());

  it('refuses unknown miners and bad numbers before starting anything', async () => {
    const asic = await run('pool', 'dev', '--miner', 'asic');
    expect(asic.code).toBe(2);
    expect(asic.err).toMatch(/--miner must be one of/);
    expect((await run('pool', 'dev', '--threads', '0')).code).toBe(2);
    expect((await run('pool', 'dev', '--exit-after-blocks', 'x')).code).toBe(2);
  });

  it('takes --dialect with --miner v1 only, and a known family', async () => {
    const bad = await run('pool', 'dev', '--miner', 'v1', '--dialect', 'nosuch');
    expect(bad.code).toBe(2);
    expect(bad.err).toMatch(/--dialect must be one of btcpool, k7, goldshell, viabtc, nerdminer/);
    expect((await run('pool', 'dev', '--dialect', 'k7')).code).toBe(2);
    expect(
      (await run('miner', '--mode', 'v1', '--url', '127.0.0.1:1', '--user', 'a.b', '--dialect', 'x')).code,
    ).toBe(2);
  });

  // The flag the real-node runs use (issue #16): a block through the translator in one family.
  it('pool dev --miner v1 --dialect goldshell --exit-after-blocks 1 exits 0', async () => {
    vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
    const r = await run(
      'pool',
      'dev',
      '--miner',
      'v1',
      '--dialect',
      'goldshell',
      '--exit-after-blocks',
      '1',
      '--stratum-port',
      '0',
    );
    expect(r.code).toBe(0);
  }, 120_000);

  it('checks the payouts flags before starting anything', async () => {
    expect((await run('pool', 'dev', '--payouts', 'maybe')).code).toBe(2);
    expect((await run('pool', 'dev', '--payouts', 'off', '--exit-after-payouts', '1')).code).toBe(2);
    expect((await run('pool', 'dev', '--exit-after-blocks', '1', '--exit-after-payouts', '1')).code).toBe(2);
    const rpc = await run('pool', 'dev', '--ckb-rpc', 'http://127.0.0.1:1', '--payouts', 'on');
    expect(rpc.code).toBe(2);
    expect(rpc.err).toMatch(/--payouts on needs the embedded devnet/);
  });

  // The money path end to end: blocks -> finalized (N + 11) -> matured -> ledger -> payout tx -> committed.
  it('pool dev --exit-after-payouts 1 exits 0 once a payout transaction is committed', async () => {
    const lines: string[] = [];
    vi.spyOn(process.stdout, 'write').mockImplementation((s) => lines.push(String(s)) > 0);
    const r = await run(
      'pool',
      'dev',
      '--block-time',
      '1000',
      '--exit-after-payouts',
      '1',
      '--stratum-port',
      '0',
      '--api-port',
      '0',
    );
    expect(r.code).toBe(0);
    expect(lines.join('')).toMatch(/1 payout transaction\(s\) committed on the devnet/);
  }, 420_000);

  it('prints usage for --help', async () => {
    const help = await run('pool', 'dev', '--help');
    expect(help.code).toBe(0);
    expect(help.out).toMatch(/--exit-after-blocks/);
  });

  it('requires the miner connection flags and a known mode', async () => {
    expect((await run('miner')).code).toBe(2);
    const base = ['miner', '--url', '127.0.0.1:1', '--authority-key', 'k', '--user', 'u'];
    expect((await run(...base, '--mode', 'asic')).code).toBe(2);
    expect((await run(...base, '--threads', '0')).code).toBe(2);
    expect((await run(...base.slice(0, 2), 'nope', ...base.slice(3))).code).toBe(2);
  });

  it('requires a Noise key directory for pool stratum', async () => {
    const saved = process.env.EAGLEPOOL_NOISE_DIR;
    delete process.env.EAGLEPOOL_NOISE_DIR;
    try {
      expect((await run('pool', 'stratum')).code).toBe(2);
    } finally {
      if (saved !== undefined) process.env.EAGLEPOOL_NOISE_DIR = saved;
    }
  });
});
