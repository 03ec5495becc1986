import { afterEach, describe, expect, it, vi } from 'vitest';
import { main } from './main.js';

describe('eaglepool hash eaglesong', () => {
  afterEach(() => vi.restoreAllMocks());

  function run(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
    const out: string[] = [];
    const err: string[] = [];
    vi.spyOn(console, 'log').mockImplementation((s: string) => void out.push(s));
    vi.spyOn(console, 'error').mockImplementation((s: string) => void err.push(s));
    return main(argv).then((code) => ({ code, out: out.join('\n'), err: err.join('\n') }));
  }

  it('prints the lowercase hex digest on one line', async () => {
    expect(await run('hash', 'eaglesong', '616263')).toEqual({
      code: 0,
      out: '1e93baa3ff9f8afa381430b7811d428c5b4514f39f6a78d00511b20305067b68',
      err: '',
    });
    const pow = '44f4c69744d5f8c55d642062949dcae49bc4e7ef43d388c5a12f42b5633d163e';
    expect((await run('hash', 'eaglesong', `0x${pow.toUpperCase()}${'ff'.repeat(16)}`)).out).toBe(
      'db837556845149b9cc0c90e6f005bfe1863bbf69cba9526bef256f969c693933',
    );
    expect((await run('hash', 'eaglesong', '')).out).toBe(
      '9e4452fc7aed93d7240b7b55263792befd1be09252b456401122ba71a56f62a0',
    );
  });

  it('rejects bad hex and missing arguments with exit code 2', async () => {
    for (const bad of ['abc', 'zz', '0x1', '61 62']) {
      const r = await run('hash', 'eaglesong', bad);
      expect(r.code).toBe(2);
      expect(r.out).toBe('');
      expect(r.err).toContain('not a hex byte string');
    }
    expect((await run('hash', 'eaglesong')).code).toBe(2);
    expect((await run('hash', 'eaglesong', '61', '62')).code).toBe(2);
  });
});
