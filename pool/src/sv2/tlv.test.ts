/**
 * Extension 0x0002 user_identity TLV on SubmitSharesExtended and the Extensions Negotiation
 * frames, against bytes SRI's own encoder produced (fixtures/sri-tlv.json, see its `source`), plus
 * property tests of the TLV list reader.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Sv2ProtocolError } from './error.js';
import { decodeFrame, encodeFrame, FrameDecoder } from './frame.js';
import { decodeMessage, encodeMessage } from './message.js';
import { MAX_TLV_LONG_USER_IDENTITY_BYTES, MAX_TLV_USER_IDENTITY_BYTES } from './tlv.js';
import type { Sv2Message } from './types.js';
import vectors from './fixtures/sri-tlv.json' with { type: 'json' };

type Submit = Extract<Sv2Message, { type: 'SubmitSharesExtended' }>;
const unhex = (s: string): Uint8Array => new Uint8Array(Buffer.from(s, 'hex'));
const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');

const base: Submit = {
  type: 'SubmitSharesExtended',
  ...vectors.submitSharesExtended,
  extranonce: unhex(vectors.submitSharesExtended.extranonce),
};
const basePayload = encodeMessage(base);

/** A TLV as SRI lays it out: U16 LE extension_type, U8 field_type, U16 LE length, value. */
function tlv(extensionType: number, fieldType: number, value: Uint8Array, length = value.length): Uint8Array {
  const out = new Uint8Array(5 + value.length);
  out[0] = extensionType & 0xff;
  out[1] = extensionType >>> 8;
  out[2] = fieldType;
  out[3] = length & 0xff;
  out[4] = length >>> 8;
  out.set(value, 5);
  return out;
}

const concat = (...parts: Uint8Array[]): Uint8Array => new Uint8Array(Buffer.concat(parts));
const decodeSubmit = (payload: Uint8Array) => decodeMessage(0x1b, payload) as Submit;

function decodeOne(bytes: Uint8Array): Sv2Message | undefined {
  const frames = new FrameDecoder().push(bytes);
  expect(frames).toHaveLength(1);
  return decodeFrame(frames[0]!);
}

describe('SRI bytes', () => {
  it('SubmitSharesExtended without a TLV equals SRI', () => {
    expect(hex(encodeFrame(base))).toBe(vectors.frames.submit_shares_extended);
    expect(decodeOne(unhex(vectors.frames.submit_shares_extended))).toEqual(base);
  });

  for (const name of Object.keys(vectors.tlvs)) {
    it(`SubmitSharesExtended + user_identity "${name}" equals SRI byte for byte`, () => {
      const msg: Submit = { ...base, userIdentity: name };
      const sri = vectors.frames[`submit_shares_extended_tlv:${name}` as keyof typeof vectors.frames];
      expect(hex(encodeFrame(msg))).toBe(sri);
      expect(hex(encodeMessage(msg).subarray(basePayload.length))).toBe(
        vectors.tlvs[name as keyof typeof vectors.tlvs],
      );
      expect(decodeOne(unhex(sri))).toEqual(msg);
    });
  }

  it('RequestExtensions / .Success / .Error for [0x0002] equal SRI', () => {
    const cases: [Sv2Message, string][] = [
      [
        { type: 'RequestExtensions', requestId: 1, requestedExtensions: [2] },
        vectors.frames.request_extensions,
      ],
      [
        { type: 'RequestExtensionsSuccess', requestId: 1, supportedExtensions: [2] },
        vectors.frames.request_extensions_success,
      ],
      [
        { type: 'RequestExtensionsError', requestId: 1, unsupportedExtensions: [2], requiredExtensions: [] },
        vectors.frames.request_extensions_error,
      ],
    ];
    for (const [msg, sri] of cases) {
      expect(hex(encodeFrame(msg))).toBe(sri);
      expect(decodeOne(unhex(sri))).toEqual(msg);
    }
  });
});

describe('TLV list reader', () => {
  const worker = new TextEncoder().encode('Worker_001');

  it('skips TLVs of other extensions and other fields by their length', () => {
    const payload = concat(
      basePayload,
      tlv(0x0009, 0x01, Uint8Array.of(0xaa, 0xbb)),
      tlv(0x0002, 0x02, new Uint8Array(300)),
      tlv(0x0002, 0x01, worker),
      tlv(0x7fff, 0xff, new Uint8Array(0)),
    );
    expect(decodeSubmit(payload).userIdentity).toBe('Worker_001');
    expect(decodeSubmit(concat(basePayload, tlv(0x0003, 0x01, worker))).userIdentity).toBeUndefined();
  });

  it('takes the first user_identity when repeated, accepts an empty one', () => {
    const second = new TextEncoder().encode('other');
    expect(decodeSubmit(concat(basePayload, tlv(2, 1, worker), tlv(2, 1, second))).userIdentity).toBe(
      'Worker_001',
    );
    expect(decodeSubmit(concat(basePayload, tlv(2, 1, new Uint8Array(0)))).userIdentity).toBe('');
  });

  it('rejects malformed TLVs with Sv2ProtocolError naming the field', () => {
    const bad: [string, Uint8Array, RegExp][] = [
      ['short header', Uint8Array.of(0x02, 0x00, 0x01), /SubmitSharesExtended\.tlv/],
      ['truncated value', tlv(2, 1, worker).subarray(0, 8), /SubmitSharesExtended\.userIdentity/],
      ['truncated unknown value', tlv(9, 1, worker).subarray(0, 8), /SubmitSharesExtended\.tlv\.value/],
      ['33 bytes', tlv(2, 1, new Uint8Array(33).fill(0x61)), /exceeds 32/],
      ['not UTF-8', tlv(2, 1, Uint8Array.of(0xff, 0xfe)), /UTF-8/],
    ];
    for (const [, tail, message] of bad) {
      expect(() => decodeSubmit(concat(basePayload, tail))).toThrow(Sv2ProtocolError);
      expect(() => decodeSubmit(concat(basePayload, tail))).toThrow(message);
    }
  });

  it('refuses to encode a user_identity longer than 32 bytes (as SRI UserIdentity::new)', () => {
    const name = 'x'.repeat(MAX_TLV_USER_IDENTITY_BYTES + 1);
    expect(() => encodeMessage({ ...base, userIdentity: name })).toThrow(Sv2ProtocolError);
    expect(() => encodeFrame({ ...base, userIdentity: 'é'.repeat(17) })).toThrow(/34 UTF-8 bytes/);
    expect(encodeMessage({ ...base, userIdentity: 'é'.repeat(16) })).toHaveLength(
      basePayload.length + 5 + 32,
    );
  });
});

describe('property: TLV lists', () => {
  const unknownTlv = fc
    .record({
      extensionType: fc.integer({ min: 0, max: 0xffff }),
      fieldType: fc.integer({ min: 0, max: 0xff }),
      value: fc.uint8Array({ maxLength: 64 }),
    })
    .filter((t) => !(t.extensionType === 2 && t.fieldType === 1))
    .map((t) => tlv(t.extensionType, t.fieldType, t.value));
  const identity = fc
    .string({ unit: 'grapheme', maxLength: 32 })
    .filter((s) => Buffer.byteLength(s) <= MAX_TLV_USER_IDENTITY_BYTES);

  it('finds the user_identity among any unknown TLVs, in any position', () => {
    fc.assert(
      fc.property(
        fc.array(unknownTlv, { maxLength: 5 }),
        fc.option(identity, { nil: undefined }),
        fc.nat(),
        (others, name, at) => {
          const parts = [...others];
          if (name !== undefined) parts.splice(at % (parts.length + 1), 0, tlv(2, 1, Buffer.from(name)));
          const msg = decodeSubmit(concat(basePayload, ...parts));
          expect(msg.userIdentity).toBe(name);
          // Re-encoding keeps the known TLV only, and reads back the same.
          expect(decodeSubmit(encodeMessage(msg))).toEqual(msg);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('any bytes after the fields: a message or Sv2ProtocolError, nothing else', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 80 }), (tail) => {
        let msg: Submit;
        try {
          msg = decodeSubmit(concat(basePayload, tail));
        } catch (e) {
          expect(e).toBeInstanceOf(Sv2ProtocolError);
          return;
        }
        expect(decodeSubmit(encodeMessage(msg))).toEqual(msg);
      }),
      { numRuns: 500 },
    );
  });
});

describe("Eaglepool's long user_identity TLV (extension 0x4e01)", () => {
  const address = 'ckb1qyq2znu0gempdahctxsm49sa9jdzq9vnka7qt9ntff.rig9';

  it('round-trips names up to 255 bytes, after the 0x0002 TLV when both are set', () => {
    const msg: Submit = { ...base, userIdentity: 'rig9', longUserIdentity: address };
    const payload = encodeMessage(msg);
    const ascii = new TextEncoder().encode(address);
    expect(hex(payload)).toBe(
      hex(concat(basePayload, tlv(0x0002, 1, new TextEncoder().encode('rig9')), tlv(0x4e01, 1, ascii))),
    );
    expect(decodeSubmit(payload)).toEqual(msg);
    const longest: Submit = { ...base, longUserIdentity: 'x'.repeat(MAX_TLV_LONG_USER_IDENTITY_BYTES) };
    expect(decodeSubmit(encodeMessage(longest))).toEqual(longest);
  });

  it('refuses more than 255 bytes both ways', () => {
    const over = 'x'.repeat(MAX_TLV_LONG_USER_IDENTITY_BYTES + 1);
    expect(() => encodeMessage({ ...base, longUserIdentity: over })).toThrow(Sv2ProtocolError);
    const tail = tlv(0x4e01, 1, new TextEncoder().encode(over));
    expect(() => decodeSubmit(concat(basePayload, tail))).toThrow(/exceeds 255/);
  });

  it('is a TLV of its own: a 0x0002-only reader value stays unset', () => {
    const decoded = decodeSubmit(concat(basePayload, tlv(0x4e01, 1, new TextEncoder().encode(address))));
    expect(decoded.userIdentity).toBeUndefined();
    expect(decoded.longUserIdentity).toBe(address);
  });
});

describe("Eaglepool's extension 0x4e02: the nonce layout TLV on channel-open messages", () => {
  const open = {
    type: 'OpenStandardMiningChannel' as const,
    requestId: 1,
    userIdentity: 'u',
    nominalHashRate: 0,
    maxTarget: new Uint8Array(32).fill(0xff),
  };

  it('appends 02 4e | 01 | 01 00 | value and reads it back; absent means no TLV', () => {
    const plain = encodeMessage(open);
    const last = encodeMessage({ ...open, nonceLayout: 1 });
    expect(hex(last)).toBe(hex(plain) + '024e01010001');
    expect(decodeMessage(0x10, last)).toMatchObject({ nonceLayout: 1 });
    expect(decodeMessage(0x10, plain)).toMatchObject({ nonceLayout: undefined });
    const ext = encodeMessage({
      ...open,
      type: 'OpenExtendedMiningChannel',
      minExtranonceSize: 8,
      nonceLayout: 0,
    });
    expect(hex(ext.subarray(-6))).toBe('024e01010000');
    expect(decodeMessage(0x13, ext)).toMatchObject({ nonceLayout: 0, minExtranonceSize: 8 });
  });

  it('skips TLVs of other extensions; a bad length or value is a protocol error, never a crash', () => {
    const plain = encodeMessage(open);
    const withOther = new Uint8Array([
      ...plain,
      ...tlv(0x0002, 1, unhex('41')),
      ...tlv(0x4e02, 1, unhex('01')),
    ]);
    expect(decodeMessage(0x10, withOther)).toMatchObject({ nonceLayout: 1 });
    expect(() => decodeMessage(0x10, new Uint8Array([...plain, ...tlv(0x4e02, 1, unhex('02'))]))).toThrow(
      Sv2ProtocolError,
    );
    expect(() => decodeMessage(0x10, new Uint8Array([...plain, ...tlv(0x4e02, 1, unhex('0100'))]))).toThrow(
      /expected 1/,
    );
    expect(() => encodeMessage({ ...open, nonceLayout: 7 })).toThrow(Sv2ProtocolError);
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 24 }), (tail) => {
        try {
          decodeMessage(0x10, new Uint8Array([...plain, ...tail]));
        } catch (err) {
          expect(err).toBeInstanceOf(Sv2ProtocolError);
        }
      }),
    );
  });
});
