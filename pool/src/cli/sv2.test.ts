import { afterEach, describe, expect, it, vi } from 'vitest';
import { main } from './main.js';

describe('eaglepool sv2 decode', () => {
  afterEach(() => vi.restoreAllMocks());

  function run(...argv: string[]): Promise<{ code: number; out: string[]; err: string }> {
    const out: string[] = [];
    const err: string[] = [];
    vi.spyOn(console, 'log').mockImplementation((s: string) => void out.push(s));
    vi.spyOn(console, 'error').mockImplementation((s: string) => void err.push(s));
    return main(argv).then((code) => ({ code, out, err: err.join('\n') }));
  }

  // SubmitSharesStandard and SubmitShares.Success frames as SRI encodes them (see pool/src/sv2/sri-vectors.test.ts),
  // then a frame of an unknown extension.
  const share = '00801a18000002000000290000000a000000bebafeca00f1536504000020';
  const ack = '00801c14000002000000290000000a000000efcdab8967452301';
  const unknown = '0240070100007f';

  it('prints one JSON line per frame, hex for bytes and decimal strings for U64', async () => {
    const r = await run('sv2', 'decode', share, `${ack.slice(0, 10)} ${ack.slice(10)}`, unknown);
    expect(r.code).toBe(0);
    expect(r.out.map((l) => JSON.parse(l) as unknown)).toEqual([
      {
        extensionType: 0,
        msgType: 0x1a,
        channelMsg: true,
        length: 24,
        message: {
          type: 'SubmitSharesStandard',
          channelId: 2,
          sequenceNumber: 41,
          jobId: 10,
          nonce: 0xcafebabe,
          ntime: 1_700_000_000,
          version: 0x20000004,
        },
      },
      {
        extensionType: 0,
        msgType: 0x1c,
        channelMsg: true,
        length: 20,
        message: {
          type: 'SubmitSharesSuccess',
          channelId: 2,
          lastSequenceNumber: 41,
          newSubmitsAcceptedCount: 10,
          newSharesSum: '81985529216486895',
        },
      },
      { extensionType: 0x4002, msgType: 7, channelMsg: false, length: 1, message: null },
    ]);
  });

  it('reports malformed payloads and truncated input with exit code 1', async () => {
    const bad = await run('sv2', 'decode', '00801a0300000102 03');
    expect(bad.code).toBe(1);
    expect(JSON.parse(bad.out[0]!)).toMatchObject({
      msgType: 0x1a,
      error: expect.stringContaining('channelId'),
    });
    const cut = await run('sv2', 'decode', share.slice(0, 20));
    expect(cut.code).toBe(1);
    expect(cut.err).toContain('input ends inside a frame');
  });

  it('rejects input that is not hex with exit code 2', async () => {
    expect((await run('sv2', 'decode', 'xyz')).code).toBe(2);
  });
});
