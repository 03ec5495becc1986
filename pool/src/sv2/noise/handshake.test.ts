import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { ACT2_LEN } from './constants.js';
import { generateKeyPair } from './ellswift.js';
import { NoiseError } from './errors.js';
import { NoiseInitiator, NoiseResponder, PreparedResponderKeys } from './handshake.js';
import { EncryptedFrameDecoder } from './transport.js';
import { generateAuthorityKeys, generateResponderKeys } from './keys.js';
import type { ResponderKeys } from './keys.js';
import { deterministicRandom } from './testing/util.js';

const NOW = 1_800_000_000;
const random = deterministicRandom('handshake tests');
const authority = generateAuthorityKeys(random);
const presigned = generateResponderKeys({
  authoritySecretKey: authority.secretKey,
  validFrom: NOW - 100,
  validitySeconds: 1000,
  random,
});
const keys = new PreparedResponderKeys(presigned, { random });
const signingKeys: ResponderKeys = {
  staticSecretKey: generateKeyPair(random).secretKey,
  authoritySecretKey: authority.secretKey,
};

function handshake(
  opts: {
    now?: number;
    authorityPublicKey?: Uint8Array | string;
    keys?: ResponderKeys | PreparedResponderKeys;
  } = {},
) {
  const initiator = new NoiseInitiator({
    authorityPublicKey: 'authorityPublicKey' in opts ? opts.authorityPublicKey : authority.publicKey,
    random,
    now: () => opts.now ?? NOW,
  });
  const responder = new NoiseResponder(opts.keys ?? keys, { random, now: () => NOW });
  const act1 = initiator.writeAct1();
  const { act2, transport: rt } = responder.respond(act1);
  return { initiator, act1, act2, rt };
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

describe('Noise NX handshake in memory', () => {
  it('produces 64 + 234 bytes and transports that talk to each other both ways', () => {
    const { initiator, act1, act2, rt } = handshake();
    expect(act1.length).toBe(64);
    expect(act2.length).toBe(234);
    const { transport: it_, certificate, responderStaticKey } = initiator.readAct2(act2);
    expect(responderStaticKey).toEqual(keys.staticKey.xOnly);
    expect(certificate.validFrom).toBe(NOW - 100);
    const frame = Uint8Array.of(0, 0, 0x10, 3, 0, 0, 1, 2, 3);
    const up = it_.encryptFrame(frame);
    expect(up.length).toBe(22 + 3 + 16);
    expect(new EncryptedFrameDecoder(rt).push(up)).toEqual([
      { extensionType: 0, msgType: 0x10, channelMsg: false, payload: Uint8Array.of(1, 2, 3) },
    ]);
    const down = rt.encryptFrame(frame);
    expect(down).not.toEqual(up); // one key per direction
    expect(new EncryptedFrameDecoder(it_).push(down)[0]!.payload).toEqual(Uint8Array.of(1, 2, 3));
  });

  it('signs a fresh certificate per second when given the authority secret key (SRI behaviour)', () => {
    const { initiator, act2 } = handshake({ keys: signingKeys });
    const { certificate } = initiator.readAct2(act2);
    expect(certificate.validFrom).toBe(NOW);
    expect(certificate.notValidAfter).toBe(NOW + 3600);
    expect(certificate.version).toBe(0);
  });

  it('accepts any authority when none is configured (SRI Initiator::without_pk)', () => {
    const other = generateAuthorityKeys(random);
    const k = generateResponderKeys({
      authoritySecretKey: other.secretKey,
      validFrom: 0,
      validitySeconds: 1,
      random,
    });
    const { initiator, act2 } = handshake({ keys: k, authorityPublicKey: undefined });
    expect(() => initiator.readAct2(act2)).not.toThrow();
  });

  it('rejects a certificate from another authority', () => {
    const { initiator, act2 } = handshake({
      authorityPublicKey: generateAuthorityKeys(random).encoded.publicKey,
    });
    expect(codeOf(() => initiator.readAct2(act2))).toBe('CERT_BAD_SIGNATURE');
  });

  it('rejects expired and not-yet-valid certificates, with the 10 s leeway SRI allows', () => {
    // presigned: valid [NOW-100, NOW+900]
    const at = (now: number) => {
      const h = handshake({ now });
      return codeOf(() => h.initiator.readAct2(h.act2));
    };
    expect(at(NOW + 910)).toBeUndefined();
    expect(at(NOW + 911)).toBe('CERT_EXPIRED');
    expect(at(NOW - 110)).toBeUndefined();
    expect(at(NOW - 111)).toBe('CERT_NOT_YET_VALID');
  });

  it('turns every single-byte change of act 2 into a typed error', () => {
    const base = handshake();
    for (let i = 0; i < ACT2_LEN; i += 7) {
      const h = handshake();
      const bad = Uint8Array.from(h.act2);
      bad[i]! ^= 0x01;
      const code = codeOf(() => h.initiator.readAct2(bad));
      expect(code, `byte ${i}`).toMatch(/^(BAD_MAC|BAD_KEY|CERT_.*)$/);
    }
    expect(codeOf(() => base.initiator.readAct2(base.act2.subarray(1)))).toBe('BAD_LENGTH');
  });

  it('rejects the act 2 of another session with BAD_MAC', () => {
    const a = handshake();
    const b = handshake();
    expect(codeOf(() => a.initiator.readAct2(b.act2))).toBe('BAD_MAC');
  });

  it('refuses to be driven out of order', () => {
    const i = new NoiseInitiator({ random });
    expect(codeOf(() => i.readAct2(new Uint8Array(234)))).toBe('BAD_STATE');
    i.writeAct1();
    expect(codeOf(() => i.writeAct1())).toBe('BAD_STATE');
    const r = new NoiseResponder(keys, { random });
    r.respond(new Uint8Array(64));
    expect(codeOf(() => r.respond(new Uint8Array(64)))).toBe('BAD_STATE');
  });
});

describe('handshake under random input (property)', () => {
  it('responder: any 64 bytes is a valid act 1 (every string decodes); other lengths give BAD_LENGTH', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 130 }), (bytes) => {
        const code = codeOf(() => new NoiseResponder(keys, { random }).respond(bytes));
        expect(code).toBe(bytes.length === 64 ? undefined : 'BAD_LENGTH');
      }),
      { numRuns: 40 },
    );
  });

  it('initiator: random act 2 bytes only ever raise NoiseError', () => {
    fc.assert(
      fc.property(
        fc.oneof(fc.uint8Array({ minLength: 234, maxLength: 234 }), fc.uint8Array({ maxLength: 300 })),
        (bytes) => {
          const i = new NoiseInitiator({ authorityPublicKey: authority.publicKey, random, now: () => NOW });
          i.writeAct1();
          expect(codeOf(() => i.readAct2(bytes))).toBeDefined();
        },
      ),
      { numRuns: 40 },
    );
  });
});
