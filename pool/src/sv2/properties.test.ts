import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Sv2ProtocolError } from './error.js';
import { decodeFrame, encodeFrame, type Frame, FrameDecoder, writeFrameHeader } from './frame.js';
import { decodeMessage, encodeMessage, EXTENSION_TYPES, MESSAGE_TYPES } from './message.js';
import { arbitraryMessage } from './testing/arbitraries.js';
import type { Sv2Message } from './types.js';

const NUM_RUNS = 300;
const IDS = (Object.keys(MESSAGE_TYPES) as (keyof typeof MESSAGE_TYPES)[]).map(
  (t) => [MESSAGE_TYPES[t], EXTENSION_TYPES[t]] as const,
);

/** Runs `fn`; passes if it returns or throws Sv2ProtocolError, fails on any other exception. */
function onlyProtocolErrors(fn: () => unknown): void {
  try {
    fn();
  } catch (e) {
    if (!(e instanceof Sv2ProtocolError)) throw e;
  }
}

/** What `decode` returns, or undefined when it throws an Sv2ProtocolError (any other error fails). */
function decodedOrRejected<T>(decode: () => T): T | undefined {
  try {
    return decode();
  } catch (e) {
    expect(e).toBeInstanceOf(Sv2ProtocolError);
    return undefined;
  }
}

/**
 * Decodes `payload`; if that fails it must be with Sv2ProtocolError. If it succeeds, the
 * message must encode again and decode to itself (decode∘encode is a fixpoint).
 */
function decodeOrReject(msgType: number, extensionType: number, payload: Uint8Array): void {
  const msg = decodedOrRejected(() => decodeMessage(msgType, payload, extensionType));
  if (msg) expect(decodeMessage(msgType, encodeMessage(msg), extensionType)).toEqual(msg);
}

/** Splits `bytes` at the given cut points (sorted, deduplicated, clipped). */
function split(bytes: Uint8Array, cuts: number[]): Uint8Array[] {
  const points = [...new Set(cuts.map((c) => c % (bytes.length + 1)))].sort((a, b) => a - b);
  const parts: Uint8Array[] = [];
  let at = 0;
  for (const p of [...points, bytes.length]) {
    parts.push(bytes.slice(at, p)); // a copy, as a socket would deliver
    at = p;
  }
  return parts;
}

const frameSummary = (f: Frame) => [
  f.extensionType,
  f.msgType,
  f.channelMsg,
  Buffer.from(f.payload).toString('hex'),
];

/** Random frames with arbitrary header fields and payloads, as raw bytes. */
const rawFrame = fc
  .record({
    extensionType: fc.integer({ min: 0, max: 0x7fff }),
    msgType: fc.integer({ min: 0, max: 0xff }),
    channelMsg: fc.boolean(),
    payload: fc.uint8Array({ maxLength: 200 }),
  })
  .map(({ payload, ...h }) => {
    const out = new Uint8Array(6 + payload.length);
    writeFrameHeader(out, 0, { ...h, msgLength: payload.length });
    out.set(payload, 6);
    return out;
  });

describe('property: valid messages round-trip', () => {
  it('decodeMessage(encodeMessage(m)) deep-equals m, for every message type', () => {
    fc.assert(
      fc.property(arbitraryMessage, (msg) => {
        expect(decodeMessage(MESSAGE_TYPES[msg.type], encodeMessage(msg), EXTENSION_TYPES[msg.type])).toEqual(
          msg,
        );
      }),
      { numRuns: NUM_RUNS * 4 },
    );
  });

  it('frames of random messages, split at random points, decode to the same messages', () => {
    fc.assert(
      fc.property(
        fc.array(arbitraryMessage, { minLength: 1, maxLength: 8 }),
        fc.array(fc.nat(), { maxLength: 20 }),
        (msgs, cuts) => {
          const frames = msgs.map(encodeFrame);
          const stream = new Uint8Array(frames.reduce((n, f) => n + f.length, 0));
          frames.reduce((at, f) => (stream.set(f, at), at + f.length), 0);
          const d = new FrameDecoder();
          const decoded = split(stream, cuts).flatMap((chunk) => d.push(chunk).map((f) => decodeFrame(f)));
          expect(decoded).toEqual(msgs);
          expect(d.bufferedBytes).toBe(0);
        },
      ),
      { numRuns: NUM_RUNS },
    );
  });
});

describe('property: FrameDecoder is independent of chunking', () => {
  it('the same byte stream split anywhere yields the same frames', () => {
    fc.assert(
      fc.property(
        fc.array(rawFrame, { maxLength: 10 }),
        fc.array(fc.nat(), { maxLength: 30 }),
        fc.array(fc.nat(), { maxLength: 30 }),
        (frames, cutsA, cutsB) => {
          const stream = new Uint8Array(frames.reduce((n, f) => n + f.length, 0));
          frames.reduce((at, f) => (stream.set(f, at), at + f.length), 0);
          const decode = (chunks: Uint8Array[]) => {
            const d = new FrameDecoder();
            return chunks.flatMap((c) => d.push(c).map(frameSummary));
          };
          const whole = decode([stream]);
          expect(whole).toHaveLength(frames.length);
          expect(decode(split(stream, cutsA))).toEqual(whole);
          expect(decode(split(stream, cutsB))).toEqual(whole);
        },
      ),
      { numRuns: NUM_RUNS },
    );
  });

  it('arbitrary byte streams in arbitrary chunks give frames or Sv2ProtocolError only', () => {
    fc.assert(
      fc.property(fc.array(fc.uint8Array({ maxLength: 64 }), { maxLength: 20 }), (chunks) => {
        const d = new FrameDecoder({ maxPayload: 512 });
        onlyProtocolErrors(() => {
          for (const c of chunks) for (const f of d.push(c)) onlyProtocolErrors(() => decodeFrame(f));
        });
      }),
      { numRuns: NUM_RUNS },
    );
  });
});

describe('property: encoding wrong values raises Sv2ProtocolError only', () => {
  it('any field replaced by a value of the wrong type or range', () => {
    const junk = fc.oneof(
      fc.constantFrom(null, undefined, '', 'x', -1, 1.5, NaN, 2 ** 32, 2 ** 53, -1n, 1n << 64n, {}, [], true),
      fc.uint8Array({ minLength: 33, maxLength: 40 }),
      fc.string({ minLength: 256, maxLength: 300 }),
      fc.array(fc.constant(0), { minLength: 256, maxLength: 300 }),
    );
    fc.assert(
      fc.property(arbitraryMessage, fc.nat(), junk, (msg, pick, value) => {
        const fields = Object.keys(msg).filter((k) => k !== 'type');
        if (fields.length === 0) return;
        const broken = { ...msg, [fields[pick % fields.length]!]: value } as Sv2Message;
        onlyProtocolErrors(() => encodeFrame(broken));
      }),
      { numRuns: NUM_RUNS * 2 },
    );
  });
});

describe('property: malformed payloads raise Sv2ProtocolError only', () => {
  it('random bytes as any known message id', () => {
    fc.assert(
      fc.property(fc.constantFrom(...IDS), fc.uint8Array({ maxLength: 300 }), ([id, ext], payload) => {
        decodeOrReject(id, ext, payload);
      }),
      { numRuns: NUM_RUNS * 4 },
    );
  });

  it("every strict prefix of a valid payload is rejected (but SubmitSharesExtended's TLVs are optional)", () => {
    fc.assert(
      fc.property(arbitraryMessage, fc.nat(), (msg, cut) => {
        const payload = encodeMessage(msg);
        if (payload.length === 0) return;
        const truncated = payload.subarray(0, cut % payload.length);
        const decode = () => decodeMessage(MESSAGE_TYPES[msg.type], truncated, EXTENSION_TYPES[msg.type]);
        if (msg.type === 'SubmitSharesExtended') {
          // A cut at a TLV boundary is a valid share naming fewer workers; any other cut throws.
          const noTlvs = { ...msg, userIdentity: undefined, longUserIdentity: undefined };
          if (truncated.length >= encodeMessage(noTlvs).length) {
            const decoded = decodedOrRejected(decode);
            if (decoded)
              expect({ ...decoded, userIdentity: undefined, longUserIdentity: undefined }).toEqual(noTlvs);
            return;
          }
        }
        expect(decode).toThrow(Sv2ProtocolError);
      }),
      { numRuns: NUM_RUNS },
    );
  });

  it('a valid payload with trailing bytes is rejected (SubmitSharesExtended: read as TLVs or rejected)', () => {
    fc.assert(
      fc.property(arbitraryMessage, fc.uint8Array({ minLength: 1, maxLength: 8 }), (msg, extra) => {
        const payload = encodeMessage(msg);
        const longer = new Uint8Array(payload.length + extra.length);
        longer.set(payload);
        longer.set(extra, payload.length);
        const decode = () => decodeMessage(MESSAGE_TYPES[msg.type], longer, EXTENSION_TYPES[msg.type]);
        if (msg.type !== 'SubmitSharesExtended') {
          expect(decode).toThrow(Sv2ProtocolError);
          return;
        }
        // After the fields comes a TLV list: well-formed extra TLVs of other extensions are skipped.
        const decoded = decodedOrRejected(decode);
        const noTlvs = { userIdentity: undefined, longUserIdentity: undefined };
        if (decoded) expect({ ...decoded, ...noTlvs }).toEqual({ ...msg, ...noTlvs });
      }),
      { numRuns: NUM_RUNS },
    );
  });

  it('byte mutations of a valid payload decode or raise Sv2ProtocolError', () => {
    fc.assert(
      fc.property(
        arbitraryMessage,
        fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 6 }),
        (msg, edits) => {
          const payload = encodeMessage(msg);
          if (payload.length === 0) return;
          for (const [at, value] of edits) payload[at % payload.length] = value;
          decodeOrReject(MESSAGE_TYPES[msg.type], EXTENSION_TYPES[msg.type], payload);
        },
      ),
      { numRuns: NUM_RUNS },
    );
  });
});
