import { describe, expect, it } from 'vitest';
import { Sv2ProtocolError } from './error.js';
import {
  decodeFrame,
  encodeFrame,
  type Frame,
  FrameDecoder,
  frameSize,
  readFrameHeader,
  writeFrame,
  writeFrameHeader,
} from './frame.js';
import type { SubmitSharesStandard } from './types.js';

const share = (seq: number): SubmitSharesStandard => ({
  type: 'SubmitSharesStandard',
  channelId: 1,
  sequenceNumber: seq,
  jobId: 2,
  nonce: seq * 7,
  ntime: 3,
  version: 4,
});

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** A raw frame with arbitrary header fields. */
function rawFrame(
  extensionType: number,
  msgType: number,
  channelMsg: boolean,
  payload: Uint8Array,
): Uint8Array {
  const out = new Uint8Array(6 + payload.length);
  writeFrameHeader(out, 0, { extensionType, msgType, channelMsg, msgLength: payload.length });
  out.set(payload, 6);
  return out;
}

describe('frame header', () => {
  it('puts channel_msg in bit 15 of extension_type: a channel message starts 00 80', () => {
    const out = new Uint8Array(6);
    writeFrameHeader(out, 0, { extensionType: 0, msgType: 0x1a, channelMsg: true, msgLength: 24 });
    expect(Buffer.from(out).toString('hex')).toBe('00801a180000');
    writeFrameHeader(out, 0, { extensionType: 0x0abc, msgType: 1, channelMsg: true, msgLength: 0x123456 });
    expect(Buffer.from(out).toString('hex')).toBe('bc8a01563412');
    expect(readFrameHeader(out)).toEqual({
      extensionType: 0x0abc,
      msgType: 1,
      channelMsg: true,
      msgLength: 0x123456,
    });
  });

  it('rejects header fields out of range', () => {
    const out = new Uint8Array(6);
    const h = { extensionType: 0, msgType: 0, channelMsg: false, msgLength: 0 };
    expect(() => writeFrameHeader(out, 0, { ...h, extensionType: 0x8000 })).toThrow(Sv2ProtocolError);
    expect(() => writeFrameHeader(out, 0, { ...h, msgType: 256 })).toThrow(Sv2ProtocolError);
    expect(() => writeFrameHeader(out, 0, { ...h, msgLength: 1 << 24 })).toThrow(Sv2ProtocolError);
    expect(() => readFrameHeader(new Uint8Array(5))).toThrow(Sv2ProtocolError);
  });

  it('writeFrame coalesces frames into one buffer', () => {
    const a = share(1);
    const b = share(2);
    const out = new Uint8Array(frameSize(a) + frameSize(b));
    const mid = writeFrame(a, out, 0);
    expect(writeFrame(b, out, mid)).toBe(out.length);
    expect(out).toEqual(concat([encodeFrame(a), encodeFrame(b)]));
  });
});

describe('FrameDecoder', () => {
  const stream = concat([1, 2, 3].map((i) => encodeFrame(share(i))));

  it('splits many frames in one chunk, returning views of the chunk', () => {
    const frames = new FrameDecoder().push(stream);
    expect(frames.map((f) => decodeFrame(f))).toEqual([share(1), share(2), share(3)]);
    for (const f of frames) expect(f.payload.buffer).toBe(stream.buffer);
  });

  it('reassembles frames fed one byte at a time into buffers of their own', () => {
    const d = new FrameDecoder();
    const frames: Frame[] = [];
    stream.forEach((byte, i) => {
      frames.push(...d.push(Uint8Array.of(byte)));
      expect(d.bufferedBytes).toBe(i + 1 - 30 * frames.length); // 30 = 6-byte header + 24-byte share
    });
    expect(frames.map((f) => decodeFrame(f))).toEqual([share(1), share(2), share(3)]);
    expect(d.bufferedBytes).toBe(0);
    expect(new Set(frames.map((f) => f.payload.buffer)).size).toBe(3);
    expect(frames.map((f) => f.payload.byteLength)).toEqual([24, 24, 24]);
  });

  it('keeps payloads valid after later pushes (no reused storage)', () => {
    const d = new FrameDecoder();
    const first = d.push(stream.subarray(0, 40)); // frame 1 complete, frame 2 started
    const second = d.push(stream.subarray(40));
    expect(decodeFrame(first[0]!)).toEqual(share(1));
    expect(second.map((f) => decodeFrame(f))).toEqual([share(2), share(3)]);
    const again = d.push(stream);
    expect(again).toHaveLength(3);
    expect(second.map((f) => decodeFrame(f))).toEqual([share(2), share(3)]);
  });

  it('passes zero-length payloads and unknown extension frames through', () => {
    const ext = rawFrame(0x4001, 0x09, true, Uint8Array.of(1, 2, 3, 4, 5));
    const empty = rawFrame(0, 0x7f, false, new Uint8Array(0));
    const bytes = concat([empty, ext, empty]);
    for (const chunkSize of [1, 2, 5, 7, bytes.length]) {
      const d = new FrameDecoder();
      const frames: Frame[] = [];
      for (let i = 0; i < bytes.length; i += chunkSize)
        frames.push(...d.push(bytes.subarray(i, i + chunkSize)));
      expect(frames.map((f) => [f.extensionType, f.msgType, f.channelMsg, [...f.payload]])).toEqual([
        [0, 0x7f, false, []],
        [0x4001, 0x09, true, [1, 2, 3, 4, 5]],
        [0, 0x7f, false, []],
      ]);
      expect(frames.map((f) => decodeFrame(f))).toEqual([undefined, undefined, undefined]);
    }
  });

  it('assembles a payload larger than the initial buffer across many chunks', () => {
    const payload = Uint8Array.from({ length: 300_000 }, (_, i) => (i * 31) & 0xff);
    const bytes = rawFrame(0, 0x25, false, payload);
    const d = new FrameDecoder();
    const frames: Frame[] = [];
    for (let i = 0; i < bytes.length; i += 1000) frames.push(...d.push(bytes.subarray(i, i + 1000)));
    expect(frames).toHaveLength(1);
    expect(frames[0]!.payload).toEqual(payload);
    expect(frames[0]!.payload.buffer.byteLength).toBe(payload.length);
  });

  it('rejects a header announcing more than maxPayload, before the payload arrives', () => {
    const d = new FrameDecoder({ maxPayload: 100 });
    expect(d.push(rawFrame(0, 1, false, new Uint8Array(100)))).toHaveLength(1);
    const header = rawFrame(0, 1, false, new Uint8Array(101)).subarray(0, 6);
    expect(() => d.push(header)).toThrow(expect.objectContaining({ field: 'frame.msgLength' }));
    // The stream cannot be resynchronised: the decoder stays failed.
    expect(() => d.push(encodeFrame(share(1)))).toThrow(Sv2ProtocolError);
  });

  it('the default limit (1 MiB) rejects a 16 MiB announcement', () => {
    const header = Uint8Array.of(0, 0, 0x25, 0xff, 0xff, 0xff);
    expect(() => new FrameDecoder().push(header)).toThrow(Sv2ProtocolError);
  });

  it('feed delivers the frames that precede a bad header before throwing', () => {
    const d = new FrameDecoder({ maxPayload: 64 });
    const bad = Uint8Array.of(0, 0, 1, 0xff, 0, 0);
    const seen: Frame[] = [];
    expect(() =>
      d.feed(concat([encodeFrame(share(1)), encodeFrame(share(2)), bad]), (f) => seen.push(f)),
    ).toThrow(Sv2ProtocolError);
    expect(seen.map((f) => decodeFrame(f))).toEqual([share(1), share(2)]);
  });

  it('fails the stream if the frame handler throws (the rest of the chunk is lost)', () => {
    const d = new FrameDecoder();
    const stream = concat([encodeFrame(share(1)), encodeFrame(share(2)), encodeFrame(share(3))]);
    let calls = 0;
    expect(() =>
      d.feed(stream, () => {
        if (++calls === 2) throw new Error('handler bug');
      }),
    ).toThrow('handler bug');
    expect(calls).toBe(2);
    expect(() => d.push(encodeFrame(share(4)))).toThrow(expect.objectContaining({ field: 'frame' }));
  });

  it('validates its option', () => {
    expect(() => new FrameDecoder({ maxPayload: 1 << 24 })).toThrow(RangeError);
    expect(() => new FrameDecoder({ maxPayload: -1 })).toThrow(RangeError);
  });
});
