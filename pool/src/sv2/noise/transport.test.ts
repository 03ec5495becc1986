import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { nobleAead, nodeAead } from './aead.js';
import { wasmAead } from './wasm-aead.js';
import { NoiseError } from './errors.js';
import type { DecryptedFrame } from './transport.js';
import { EncryptedFrameDecoder, NoiseTransport } from './transport.js';

const K1 = new Uint8Array(32).fill(1);
const K2 = new Uint8Array(32).fill(2);
/** A sender and the matching receiver (same key in one direction). */
const pair = () => ({ tx: new NoiseTransport(nodeAead, K1, K2), rx: new NoiseTransport(nobleAead, K2, K1) });

function plainFrame(msgType: number, payload: Uint8Array, ext = 0, channel = false): Uint8Array {
  const f = new Uint8Array(6 + payload.length);
  const e = ext | (channel ? 0x8000 : 0);
  f[0] = e & 0xff;
  f[1] = e >> 8;
  f[2] = msgType;
  f[3] = payload.length & 0xff;
  f[4] = (payload.length >> 8) & 0xff;
  f[5] = payload.length >> 16;
  f.set(payload, 6);
  return f;
}

function codeOf(f: () => unknown): string | undefined {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(NoiseError);
    return (e as NoiseError).code;
  }
  return undefined;
}

describe('Noise transport framing', () => {
  it('encrypts the header alone (22 B) and sends only that for an empty payload', () => {
    const { tx, rx } = pair();
    const enc = tx.encryptFrame(plainFrame(0x1a, new Uint8Array(0)));
    expect(enc.length).toBe(22);
    expect(new EncryptedFrameDecoder(rx).push(enc)).toEqual([
      { extensionType: 0, msgType: 0x1a, channelMsg: false, payload: new Uint8Array(0) },
    ]);
    expect(tx.sender.nonce).toBe(1);
  });

  it('splits payloads into ≤65519-byte chunks, each with its own MAC and nonce', () => {
    const { tx, rx } = pair();
    const payload = Uint8Array.from({ length: 65519 * 2 + 5 }, (_, i) => i & 0xff);
    const enc = tx.encryptFrame(plainFrame(0x15, payload, 3, true));
    expect(enc.length).toBe(22 + payload.length + 3 * 16);
    expect(NoiseTransport.encryptedFrameLength(6 + payload.length)).toBe(enc.length);
    expect(tx.sender.nonce).toBe(4);
    const [f] = new EncryptedFrameDecoder(rx, { maxPayload: 1 << 20 }).push(enc);
    expect(f!.extensionType).toBe(3);
    expect(f!.channelMsg).toBe(true);
    expect(f!.payload).toEqual(payload);
    // exactly 65519 bytes is one chunk
    expect(tx.encryptFrame(plainFrame(1, new Uint8Array(65519))).length).toBe(22 + 65519 + 16);
  });

  it('decodes the same frames whatever the read boundaries (property)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.uint8Array({ maxLength: 200 }), { minLength: 1, maxLength: 6 }),
        fc.array(fc.integer({ min: 1, max: 97 }), { minLength: 1, maxLength: 20 }),
        (payloads, cuts) => {
          const { tx, rx } = pair();
          const stream = Buffer.concat(payloads.map((p, i) => tx.encryptFrame(plainFrame(i, p))));
          const dec = new EncryptedFrameDecoder(rx);
          const got: DecryptedFrame[] = [];
          let pos = 0;
          for (let i = 0; pos < stream.length; i++) {
            const n = cuts[i % cuts.length]!;
            got.push(...dec.push(stream.subarray(pos, pos + n)));
            pos += n;
          }
          expect(got.map((f) => [f.msgType, Buffer.from(f.payload).toString('hex')])).toEqual(
            payloads.map((p, i) => [i, Buffer.from(p).toString('hex')]),
          );
        },
      ),
      { numRuns: 60 },
    );
  });

  it('decoders of several connections interleaved byte by byte stay independent (wasm AEAD)', () => {
    // Nonce and header scratch and the module's key buffer are shared by all connections.
    const conns = [1, 2, 3].map((k) => {
      const a = new Uint8Array(32).fill(k);
      const b = new Uint8Array(32).fill(k + 10);
      return { tx: new NoiseTransport(wasmAead, a, b), rx: new NoiseTransport(wasmAead, b, a) };
    });
    const streams = conns.map(({ tx }, c) =>
      Buffer.concat([0, 1, 2].map((i) => tx.encryptFrame(plainFrame(i, Uint8Array.of(c, i, 7))))),
    );
    const decoders = conns.map(({ rx }) => new EncryptedFrameDecoder(rx));
    const got: number[][][] = conns.map(() => []);
    for (let pos = 0; pos < streams[0]!.length; pos++) {
      decoders.forEach((d, c) => {
        for (const f of d.push(streams[c]!.subarray(pos, pos + 1))) got[c]!.push([f.msgType, ...f.payload]);
      });
    }
    expect(got).toEqual(conns.map((_, c) => [0, 1, 2].map((i) => [i, c, i, 7])));
  });

  it('rejects a frame larger than maxPayload as soon as its header is read', () => {
    const { tx, rx } = pair();
    const enc = tx.encryptFrame(plainFrame(1, new Uint8Array(1001)));
    const dec = new EncryptedFrameDecoder(rx, { maxPayload: 1000 });
    expect(codeOf(() => dec.push(enc.subarray(0, 22)))).toBe('FRAME_TOO_LARGE');
    expect(codeOf(() => dec.push(enc.subarray(22)))).toBe('BAD_STATE');
  });

  it('fails with BAD_MAC on any flipped byte, and stays failed', () => {
    const { tx } = pair();
    const enc = tx.encryptFrame(plainFrame(1, Uint8Array.of(1, 2, 3, 4)));
    for (let i = 0; i < enc.length; i++) {
      const bad = Uint8Array.from(enc);
      bad[i]! ^= 0x40;
      const dec = new EncryptedFrameDecoder(new NoiseTransport(nodeAead, K2, K1));
      expect(
        codeOf(() => dec.push(bad)),
        `byte ${i}`,
      ).toBe('BAD_MAC');
    }
  });

  it('random bytes never raise anything but NoiseError (property)', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 400 }), (bytes) => {
        const dec = new EncryptedFrameDecoder(new NoiseTransport(nodeAead, K2, K1));
        const code = codeOf(() => dec.push(bytes));
        expect(code === undefined ? bytes.length < 22 : code === 'BAD_MAC').toBe(true);
      }),
      { numRuns: 100 },
    );
  });
});

describe('EncryptedFrameDecoder.feed', () => {
  it('delivers the frames before a corrupted one in the same chunk, then throws', () => {
    const { tx, rx } = pair();
    const good = Buffer.concat([
      tx.encryptFrame(plainFrame(1, Uint8Array.of(1))),
      tx.encryptFrame(plainFrame(2, Uint8Array.of(2))),
    ]);
    const bad = tx.encryptFrame(plainFrame(3, Uint8Array.of(3)));
    bad[5]! ^= 1;
    const got: number[] = [];
    const dec = new EncryptedFrameDecoder(rx);
    expect(codeOf(() => dec.feed(Buffer.concat([good, bad]), (f) => got.push(f.msgType)))).toBe('BAD_MAC');
    expect(got).toEqual([1, 2]);
  });
});
