/**
 * Replays sessions captured live against SRI (stratum-mining/stratum noise_sv2 + codec_sv2) over TCP,
 * with every secret pinned, and checks our code reproduces or decodes every byte SRI produced.
 */
import { describe, expect, it } from 'vitest';
import type { Certificate } from './certificate.js';
import { bip324Ecdh, keyPairFromSecret } from './ellswift.js';
import { SymmetricState, hkdf2 } from './symmetric-state.js';
import { wasmAead } from './wasm-aead.js';
import { NoiseInitiator, NoiseResponder, PreparedResponderKeys } from './handshake.js';
import { EncryptedFrameDecoder } from './transport.js';
import type { NoiseTransport } from './transport.js';
import { deterministicRandom, hex, readFixture, unhex } from './testing/util.js';

interface FixtureFrame {
  from: 'initiator' | 'responder';
  message: string;
  plain?: string;
  encrypted?: string;
  extensionType?: number;
  msgType?: number;
  channelMsg?: boolean;
  payload?: string;
}
interface FixtureCert {
  version: number;
  validFrom: number;
  notValidAfter: number;
  signature: string;
}

const unused = deterministicRandom('unused');
const cert = (c: FixtureCert): Certificate => ({ ...c, signature: unhex(c.signature) });

/** The plain SV2 frame (header ‖ payload) of a frame recorded as decoded fields. */
function plainOf(f: FixtureFrame): Uint8Array {
  if (f.plain) return unhex(f.plain);
  const payload = unhex(f.payload!);
  const ext = f.extensionType! | (f.channelMsg ? 0x8000 : 0);
  const len = payload.length;
  return Uint8Array.from([
    ext & 0xff,
    ext >> 8,
    f.msgType!,
    len & 0xff,
    (len >> 8) & 0xff,
    len >> 16,
    ...payload,
  ]);
}

/** Encrypting `frames` in order with `tx` must give exactly `raw`; decoding `raw` with `rx` gives them back. */
function checkDirection(frames: FixtureFrame[], raw: string, tx: NoiseTransport, rx: NoiseTransport): void {
  expect(frames.length).toBeGreaterThan(0);
  expect(hex(Buffer.concat(frames.map((f) => tx.encryptFrame(plainOf(f)))))).toBe(raw);
  const decoded = new EncryptedFrameDecoder(rx).push(unhex(raw));
  expect(decoded.map((f) => [f.msgType, hex(f.payload)])).toEqual(
    frames.map((f) => [plainOf(f)[2], hex(plainOf(f).subarray(6))]),
  );
}

describe('SRI capture: our initiator vs SRI responder', () => {
  const fx = JSON.parse(readFixture('sri/our-initiator-sri-responder.json'));
  const fromUs: FixtureFrame[] = fx.frames.filter((f: FixtureFrame) => f.from === 'initiator');
  const fromSri: FixtureFrame[] = fx.frames.filter((f: FixtureFrame) => f.from === 'responder');
  const act1 = unhex(fx.act1);
  const act2 = unhex(fx.act2);
  const initiator = () =>
    new NoiseInitiator({
      authorityPublicKey: fx.authorityPublicKey,
      ephemeral: keyPairFromSecret(unhex(fx.initiatorEphemeralSecretKey), unused, act1),
      now: () => fx.now,
    });

  it('accepts SRI act 2 and its certificate, and reproduces every transport byte both ways', () => {
    const i = initiator();
    expect(hex(i.writeAct1())).toBe(fx.act1);
    const r = i.readAct2(act2);
    expect(hex(r.responderStaticKey)).toBe(fx.sri.responderStaticXOnly);
    expect(r.certificate.notValidAfter - r.certificate.validFrom).toBe(3600);
    // Our bytes exactly as SRI received them; SRI's bytes decode to the messages SRI sent.
    for (const f of fromUs) expect(hex(r.transport.encryptFrame(plainOf(f)))).toBe(f.encrypted);
    const decoded = new EncryptedFrameDecoder(r.transport).push(unhex(fx.rawFromResponder));
    expect(decoded.map((f) => f.msgType)).toEqual(fromSri.map((f) => f.msgType));
    expect(decoded.map((f) => hex(f.payload))).toEqual(fromSri.map((f) => f.payload));
  });

  it('our responder given SRI responder secrets reproduces SRI act 2 byte for byte', () => {
    const i = initiator();
    i.writeAct1();
    const seen = i.readAct2(act2);
    const keys = new PreparedResponderKeys(
      { staticSecretKey: unhex(fx.sri.responderStaticSecretKey), certificate: seen.certificate },
      { staticEllswift: seen.responderStaticEllswift },
    );
    const ephemeral = keyPairFromSecret(
      unhex(fx.sri.responderEphemeralSecretKey),
      unused,
      act2.subarray(0, 64),
    );
    const { act2: ours, transport } = new NoiseResponder(keys, { ephemeral, now: () => fx.now }).respond(
      act1,
    );
    expect(hex(ours)).toBe(fx.act2);
    checkDirection(fromSri, fx.rawFromResponder, transport, seen.transport);
  });

  it('rejects SRI act 2 outside the certificate window and under another authority key', () => {
    const late = new NoiseInitiator({
      authorityPublicKey: fx.authorityPublicKey,
      ephemeral: keyPairFromSecret(unhex(fx.initiatorEphemeralSecretKey), unused, act1),
      now: () => fx.now + 3600 + 11,
    });
    late.writeAct1();
    expect(() => late.readAct2(act2)).toThrow(expect.objectContaining({ code: 'CERT_EXPIRED' }));
    const wrong = new NoiseInitiator({
      authorityPublicKey: '9bXiEd8boQVhq7WddEcERUL5tyyJVFYdU8th3HfbNXK3Yw6GRXh',
      ephemeral: keyPairFromSecret(unhex(fx.initiatorEphemeralSecretKey), unused, act1),
      now: () => fx.now,
    });
    wrong.writeAct1();
    expect(() => wrong.readAct2(act2)).toThrow(expect.objectContaining({ code: 'CERT_BAD_SIGNATURE' }));
  });
});

describe('SRI capture: SRI initiator vs our responder', () => {
  const fx = JSON.parse(readFixture('sri/sri-initiator-our-responder.json'));
  const fromSri: FixtureFrame[] = fx.frames.filter((f: FixtureFrame) => f.from === 'initiator');
  const fromUs: FixtureFrame[] = fx.frames.filter((f: FixtureFrame) => f.from === 'responder');
  const act1 = unhex(fx.act1);

  it('reproduces the act 2 SRI accepted, then SRI frames decode and ours re-encrypt exactly', () => {
    const keys = new PreparedResponderKeys(
      { staticSecretKey: unhex(fx.responderStaticSecretKey), certificate: cert(fx.certificate) },
      { staticEllswift: unhex(fx.responderStaticEllswift) },
    );
    const ephemeral = keyPairFromSecret(
      unhex(fx.responderEphemeralSecretKey),
      unused,
      unhex(fx.responderEphemeralEllswift),
    );
    const { act2, transport } = new NoiseResponder(keys, { ephemeral, now: () => fx.now }).respond(act1);
    expect(hex(act2)).toBe(fx.act2);
    const decoded = new EncryptedFrameDecoder(transport).push(unhex(fx.rawFromInitiator));
    expect(decoded.map((f) => hex(f.payload))).toEqual(fromSri.map((f) => f.payload));
    for (const f of fromUs) expect(hex(transport.encryptFrame(unhex(f.plain!)))).toBe(f.encrypted);
  });

  it('our initiator given the SRI initiator secret reproduces SRI act 1 and its transport bytes', () => {
    const i = new NoiseInitiator({
      authorityPublicKey: fx.authorityPublicKey,
      ephemeral: keyPairFromSecret(unhex(fx.sri.initiatorEphemeralSecretKey), unused, act1),
      now: () => fx.now,
    });
    expect(hex(i.writeAct1())).toBe(fx.act1);
    const { transport } = i.readAct2(unhex(fx.act2));
    expect(hex(Buffer.concat(fromSri.map((f) => transport.encryptFrame(plainOf(f)))))).toBe(
      fx.rawFromInitiator,
    );
  });
});

describe('SRI-produced Noise intermediate values (MixHash / MixKey / HKDF)', () => {
  const fx = JSON.parse(readFixture('sri/sri-initiator-our-responder.json'));
  const steps: { op: string; dataLength?: number; h?: string; ikm?: string; ck?: string; k?: string }[] =
    fx.sriInitiatorTrace.steps;

  it('our symmetric state and ECDH reproduce every h, ck and k the SRI initiator computed', () => {
    const act1 = unhex(fx.act1);
    const act2 = unhex(fx.act2);
    const e = keyPairFromSecret(unhex(fx.sri.initiatorEphemeralSecretKey), unused, act1);
    const ss = new SymmetricState(wasmAead);
    const seen: string[] = [];
    const hash = (d: Uint8Array) => {
      ss.mixHash(d);
      seen.push(`MixHash ${d.length} ${hex(ss.h)}`);
    };
    const key = (ikm: Uint8Array) => {
      const [ck, k] = hkdf2(ss.ck, ikm);
      ss.mixKey(ikm);
      expect(hex(ss.ck)).toBe(hex(ck));
      seen.push(`MixKey ${hex(ikm)} ${hex(ck)} ${hex(k)}`);
    };
    hash(act1);
    hash(new Uint8Array(0)); // EncryptAndHash(∅) with no key
    const re = act2.subarray(0, 64);
    hash(re);
    key(bip324Ecdh(e, re, true));
    const encStatic = act2.subarray(64, 144);
    const rs = ss.decryptAndHash(encStatic);
    seen.push(`MixHash 80 ${hex(ss.h)}`);
    key(bip324Ecdh(e, rs, true));
    ss.decryptAndHash(act2.subarray(144));
    seen.push(`MixHash 90 ${hex(ss.h)}`);
    expect(seen).toEqual(
      steps.map((s) =>
        s.op === 'MixHash' ? `MixHash ${s.dataLength} ${s.h}` : `MixKey ${s.ikm} ${s.ck} ${s.k}`,
      ),
    );
  });
});
