/**
 * The SV2 Noise NX handshake as two pure state machines (no I/O, randomness and clock injected):
 *
 *   act 1  initiator → responder   e                                  64 bytes
 *   act 2  responder → initiator   e, ee, s, es, SIGNATURE_NOISE_MSG  64 + 80 + 90 = 234 bytes
 *
 * followed directly by transport (there is no act 3). Mirrors SRI noise_sv2 `initiator.rs` /
 * `responder.rs` step by step, including the hash of the empty payload after each side's `e`.
 */
import type { Aead } from './aead.js';
import { EMPTY } from './aead.js';
import { wasmAead } from './wasm-aead.js';
import type { Certificate } from './certificate.js';
import { decodeCertificate, encodeCertificate, signCertificate, verifyCertificate } from './certificate.js';
import {
  ACT1_LEN,
  ACT2_LEN,
  CERTIFICATE_LEN,
  DEFAULT_CERT_VALIDITY_S,
  ELLSWIFT_LEN,
  MAC_LEN,
} from './constants.js';
import type { EllswiftKeyPair, RandomSource } from './ellswift.js';
import { bip324Ecdh, ellswiftDecode, generateKeyPair, keyPairFromSecret, responderEcdh } from './ellswift.js';
import { NoiseError } from './errors.js';
import type { ResponderKeys } from './keys.js';
import { authorityKeyBytes, defaultRandom } from './keys.js';
import { SymmetricState } from './symmetric-state.js';
import { NoiseTransport } from './transport.js';

/** Unix time in whole seconds. */
export type Clock = () => number;
export const systemClock: Clock = () => Math.floor(Date.now() / 1000);

export interface HandshakeOptions {
  random?: RandomSource;
  now?: Clock;
  aead?: Aead;
  /** Pin the ephemeral key (tests, fixture replay); fresh random by default. */
  ephemeral?: EllswiftKeyPair;
}

export class NoiseInitiator {
  private readonly ss: SymmetricState;
  private readonly e: EllswiftKeyPair;
  private readonly authority: Uint8Array | undefined;
  private readonly now: Clock;
  private readonly aead: Aead;
  private stage: 'start' | 'sent' | 'done' = 'start';

  /** Without `authorityPublicKey` the certificate is not checked (SRI's `Initiator::without_pk`). */
  constructor(opts: HandshakeOptions & { authorityPublicKey?: Uint8Array | string } = {}) {
    this.aead = opts.aead ?? wasmAead;
    this.ss = new SymmetricState(this.aead);
    this.e = opts.ephemeral ?? generateKeyPair(opts.random ?? defaultRandom);
    this.authority =
      opts.authorityPublicKey === undefined ? undefined : authorityKeyBytes(opts.authorityPublicKey);
    this.now = opts.now ?? systemClock;
  }

  /** Act 1: our ephemeral key (64 bytes). */
  writeAct1(): Uint8Array {
    if (this.stage !== 'start') throw new NoiseError('BAD_STATE', 'act 1 already written');
    this.ss.mixHash(this.e.ellswift);
    this.ss.encryptAndHash(EMPTY);
    this.stage = 'sent';
    return Uint8Array.from(this.e.ellswift);
  }

  /** Act 2: authenticates the responder; throws NoiseError (BAD_LENGTH, BAD_MAC, CERT_*) on any failure. */
  readAct2(msg: Uint8Array): {
    transport: NoiseTransport;
    certificate: Certificate;
    /** x-only static key of the responder (what the certificate signs). */
    responderStaticKey: Uint8Array;
    responderStaticEllswift: Uint8Array;
  } {
    if (this.stage !== 'sent') throw new NoiseError('BAD_STATE', 'act 2 read out of order');
    this.stage = 'done';
    if (msg.length !== ACT2_LEN)
      throw new NoiseError('BAD_LENGTH', `act 2 must be ${ACT2_LEN} bytes, got ${msg.length}`);
    const re = msg.subarray(0, ELLSWIFT_LEN);
    this.ss.mixHash(re);
    this.ss.mixKey(bip324Ecdh(this.e, re, true));
    const rs = this.ss.decryptAndHash(msg.subarray(ELLSWIFT_LEN, 2 * ELLSWIFT_LEN + MAC_LEN));
    const responderStaticKey = ellswiftDecode(rs);
    this.ss.mixKey(bip324Ecdh(this.e, rs, true, responderStaticKey));
    const certificate = decodeCertificate(this.ss.decryptAndHash(msg.subarray(2 * ELLSWIFT_LEN + MAC_LEN)));
    if (this.authority) verifyCertificate(certificate, responderStaticKey, this.authority, this.now());
    const [c1, c2] = this.ss.split();
    return {
      transport: new NoiseTransport(this.aead, c1, c2),
      certificate,
      responderStaticKey,
      responderStaticEllswift: rs,
    };
  }
}

/**
 * Responder keys made ready for many handshakes: the static key's ElligatorSwift encoding and ECDH
 * context computed once, and (when signing per handshake like SRI) one certificate per second reused.
 */
export class PreparedResponderKeys {
  readonly staticKey: EllswiftKeyPair;
  private readonly random: RandomSource;
  private readonly fixedCertificate: Uint8Array | undefined;
  private cachedSecond = -1;
  private cachedCertificate: Uint8Array | undefined;

  constructor(
    private readonly keys: ResponderKeys,
    opts: { random?: RandomSource; staticEllswift?: Uint8Array } = {},
  ) {
    this.random = opts.random ?? defaultRandom;
    this.staticKey = keyPairFromSecret(keys.staticSecretKey, this.random, opts.staticEllswift);
    if (keys.certificate) {
      this.fixedCertificate = encodeCertificate(keys.certificate);
    } else if (!keys.authoritySecretKey) {
      throw new NoiseError('BAD_KEY', 'responder keys need a certificate or the authority secret key');
    }
  }

  /** The 74-byte certificate to send at `now` (unix seconds). */
  certificateAt(now: number): Uint8Array {
    if (this.fixedCertificate) return this.fixedCertificate;
    if (now !== this.cachedSecond || !this.cachedCertificate) {
      const validity = this.keys.certValiditySeconds ?? DEFAULT_CERT_VALIDITY_S;
      const cert = signCertificate(
        { version: 0, validFrom: now, notValidAfter: Math.min(now + validity, 0xffffffff) },
        this.staticKey.xOnly,
        this.keys.authoritySecretKey!,
        this.random(32),
      );
      this.cachedCertificate = encodeCertificate(cert);
      this.cachedSecond = now;
    }
    return this.cachedCertificate;
  }
}

const prepared = new WeakMap<ResponderKeys, PreparedResponderKeys>();

/** Prepares (once per keys object) the responder keys. */
export function prepareResponderKeys(keys: ResponderKeys | PreparedResponderKeys): PreparedResponderKeys {
  if (keys instanceof PreparedResponderKeys) return keys;
  let p = prepared.get(keys);
  if (!p) {
    p = new PreparedResponderKeys(keys);
    prepared.set(keys, p);
  }
  return p;
}

export class NoiseResponder {
  private readonly ss: SymmetricState;
  private readonly keys: PreparedResponderKeys;
  private readonly random: RandomSource;
  private readonly now: Clock;
  private readonly aead: Aead;
  private readonly ephemeral: EllswiftKeyPair | undefined;
  private done = false;

  constructor(keys: ResponderKeys | PreparedResponderKeys, opts: HandshakeOptions = {}) {
    this.aead = opts.aead ?? wasmAead;
    this.ss = new SymmetricState(this.aead);
    this.keys = prepareResponderKeys(keys);
    this.random = opts.random ?? defaultRandom;
    this.now = opts.now ?? systemClock;
    this.ephemeral = opts.ephemeral;
  }

  /** Reads act 1 and produces act 2 (234 bytes) and the transport. Throws NoiseError on bad input. */
  respond(act1: Uint8Array): { act2: Uint8Array; transport: NoiseTransport } {
    if (this.done) throw new NoiseError('BAD_STATE', 'handshake already answered');
    this.done = true;
    if (act1.length !== ACT1_LEN)
      throw new NoiseError('BAD_LENGTH', `act 1 must be ${ACT1_LEN} bytes, got ${act1.length}`);
    const re = Uint8Array.from(act1);
    this.ss.mixHash(re);
    this.ss.decryptAndHash(EMPTY);

    const e = this.ephemeral ?? generateKeyPair(this.random);
    const s = this.keys.staticKey;
    const act2 = new Uint8Array(ACT2_LEN);
    act2.set(e.ellswift, 0);
    this.ss.mixHash(e.ellswift);
    const [ee, es] = responderEcdh(e, s, re);
    this.ss.mixKey(ee);
    act2.set(this.ss.encryptAndHash(s.ellswift), ELLSWIFT_LEN);
    this.ss.mixKey(es);
    const cert = this.keys.certificateAt(this.now());
    if (cert.length !== CERTIFICATE_LEN) throw new NoiseError('BAD_LENGTH', 'certificate must be 74 bytes');
    act2.set(this.ss.encryptAndHash(cert), 2 * ELLSWIFT_LEN + MAC_LEN);
    const [c1, c2] = this.ss.split();
    return { act2, transport: new NoiseTransport(this.aead, c2, c1) };
  }
}
