/**
 * Key encodings as SRI configs write them (sv2-apps `key_utils`, spec §4.7):
 * authority public key = base58check([0x01, 0x00] ‖ x-only 32); secret key = base58check(32 bytes).
 */
import { randomBytes, randomFillSync } from 'node:crypto';
import { schnorr } from '@noble/curves/secp256k1.js';
import { createBase58check } from '@scure/base';
import { sha256 as nobleSha256 } from '@noble/hashes/sha2.js';
import type { Certificate } from './certificate.js';
import { signCertificate } from './certificate.js';
import { DEFAULT_CERT_VALIDITY_S } from './constants.js';
import type { RandomSource } from './ellswift.js';
import { assertSecretKey, randomSecretKey } from './ellswift.js';
import { NoiseError } from './errors.js';

const b58c = createBase58check(nobleSha256);
const KEY_VERSION = Uint8Array.of(0x01, 0x00);

const RANDOM_POOL = new Uint8Array(4096);
let randomPoolOffset = RANDOM_POOL.length;

/**
 * CSPRNG bytes (node:crypto). Small requests (the handshake asks for 32–33 bytes several times)
 * are served from a 4 KiB block filled at once, each byte handed out once and wiped from the block.
 */
export const defaultRandom: RandomSource = (n) => {
  if (n > 256) return new Uint8Array(randomBytes(n));
  if (randomPoolOffset + n > RANDOM_POOL.length) {
    randomFillSync(RANDOM_POOL);
    randomPoolOffset = 0;
  }
  const out = RANDOM_POOL.slice(randomPoolOffset, randomPoolOffset + n);
  RANDOM_POOL.fill(0, randomPoolOffset, randomPoolOffset + n);
  randomPoolOffset += n;
  return out;
};

function decodeB58(s: string): Uint8Array {
  try {
    return b58c.decode(s.trim());
  } catch (e) {
    throw new NoiseError('KEY_ENCODING', `not a base58check string: ${(e as Error).message}`);
  }
}

export function encodeAuthorityPublicKey(xOnly: Uint8Array): string {
  if (xOnly.length !== 32) throw new NoiseError('KEY_ENCODING', 'x-only public key must be 32 bytes');
  const payload = new Uint8Array(34);
  payload.set(KEY_VERSION, 0);
  payload.set(xOnly, 2);
  return b58c.encode(payload);
}

/** Decodes an SRI-style authority key and checks it is a valid BIP-340 x-only key. */
export function decodeAuthorityPublicKey(s: string): Uint8Array {
  const raw = decodeB58(s);
  if (raw.length !== 34)
    throw new NoiseError('KEY_ENCODING', `authority key payload must be 34 bytes, got ${raw.length}`);
  if (raw[0] !== KEY_VERSION[0] || raw[1] !== KEY_VERSION[1]) {
    throw new NoiseError('KEY_ENCODING', `unsupported authority key version ${raw[0]! | (raw[1]! << 8)}`);
  }
  const x = raw.slice(2);
  try {
    schnorr.utils.lift_x(BigInt('0x' + Buffer.from(x).toString('hex')));
  } catch {
    throw new NoiseError('KEY_ENCODING', 'authority key is not on secp256k1');
  }
  return x;
}

export function encodeSecretKey(sk: Uint8Array): string {
  assertSecretKey(sk);
  return b58c.encode(sk);
}

export function decodeSecretKey(s: string): Uint8Array {
  const raw = decodeB58(s);
  if (raw.length !== 32)
    throw new NoiseError('KEY_ENCODING', `secret key must be 32 bytes, got ${raw.length}`);
  try {
    assertSecretKey(raw);
  } catch {
    throw new NoiseError('KEY_ENCODING', 'secret key out of range');
  }
  return raw;
}

const HEX32 = /^(0x)?[0-9a-fA-F]{64}$/;
const fromHex = (s: string) => Uint8Array.from(Buffer.from(s.replace(/^0x/, ''), 'hex'));

/** An authority public key given as SRI's base58check string or as 64 hex digits (x-only). */
export function parseAuthorityPublicKey(s: string): Uint8Array {
  const t = s.trim();
  return HEX32.test(t)
    ? decodeAuthorityPublicKey(encodeAuthorityPublicKey(fromHex(t)))
    : decodeAuthorityPublicKey(t);
}

/** A secret key given as SRI's base58check string or as 64 hex digits. */
export function parseSecretKey(s: string): Uint8Array {
  const t = s.trim();
  if (!HEX32.test(t)) return decodeSecretKey(t);
  const sk = fromHex(t);
  try {
    assertSecretKey(sk);
  } catch {
    throw new NoiseError('KEY_ENCODING', 'secret key out of range');
  }
  return sk;
}

/** Accepts an authority key as 32 raw bytes, SRI's base58check string, or 64 hex digits. */
export function authorityKeyBytes(key: Uint8Array | string): Uint8Array {
  if (typeof key === 'string') return parseAuthorityPublicKey(key);
  if (key.length !== 32) throw new NoiseError('KEY_ENCODING', 'authority key must be 32 bytes (x-only)');
  return key;
}

export interface AuthorityKeys {
  secretKey: Uint8Array;
  /** x-only, 32 bytes. */
  publicKey: Uint8Array;
  /** base58check strings as SRI configs write them. */
  encoded: { secretKey: string; publicKey: string };
}

export function generateAuthorityKeys(random: RandomSource = defaultRandom): AuthorityKeys {
  const secretKey = randomSecretKey(random);
  const publicKey = schnorr.getPublicKey(secretKey);
  return {
    secretKey,
    publicKey,
    encoded: { secretKey: encodeSecretKey(secretKey), publicKey: encodeAuthorityPublicKey(publicKey) },
  };
}

/**
 * What a responder (pool) needs: its static key plus either a pre-signed certificate (the authority
 * key stays offline) or the authority secret key (a fresh certificate per handshake, as SRI does).
 */
export interface ResponderKeys {
  staticSecretKey: Uint8Array;
  certificate?: Certificate;
  authoritySecretKey?: Uint8Array;
  /** Lifetime of per-handshake certificates; default 3600 s. */
  certValiditySeconds?: number;
}

/** A static key and a certificate for it signed by the authority, valid [validFrom, validFrom + validity]. */
export function generateResponderKeys(opts: {
  authoritySecretKey: Uint8Array;
  validFrom?: number;
  validitySeconds?: number;
  random?: RandomSource;
}): Required<Pick<ResponderKeys, 'staticSecretKey' | 'certificate'>> {
  const random = opts.random ?? defaultRandom;
  const staticSecretKey = randomSecretKey(random);
  const validFrom = opts.validFrom ?? Math.floor(Date.now() / 1000);
  const notValidAfter = validFrom + (opts.validitySeconds ?? DEFAULT_CERT_VALIDITY_S);
  const certificate = signCertificate(
    { version: 0, validFrom, notValidAfter },
    schnorr.getPublicKey(staticSecretKey),
    opts.authoritySecretKey,
    random(32),
  );
  return { staticSecretKey, certificate };
}
