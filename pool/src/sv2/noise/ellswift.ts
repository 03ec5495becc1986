/**
 * BIP-324 ElligatorSwift keys and x-only ECDH for the SV2 handshake: libsecp256k1 in WebAssembly
 * (pool/noise-wasm via secp-wasm.ts): constant-time k·G and x(k·P), XSwiftEC and XElligatorSwift
 * (libsecp256k1 draws the encoding from 32 bytes of the injectable RandomSource). Checked against
 * BIP-324's published vectors (ellswift.test.ts), @noble/curves (secp-wasm.test.ts) and
 * @scure/btc-signer's experimental `elligatorSwift`.
 */
import { secp256k1 } from '@noble/curves/secp256k1.js';
import { ELLSWIFT_LEN } from './constants.js';
import { NoiseError } from './errors.js';
import {
  wasmEcdh2Ell,
  wasmEcdhX,
  wasmEllswiftDecode,
  wasmEllswiftEncode,
  wasmKeygen,
  wasmPublicKeyX,
} from './secp-wasm.js';
import { sha256 } from './symmetric-state.js';

/** Source of cryptographic randomness (injectable for deterministic tests). */
export type RandomSource = (n: number) => Uint8Array;

/** The group order n, big-endian. */
const N_BYTES = Uint8Array.from(Buffer.from(secp256k1.Point.Fn.ORDER.toString(16), 'hex'));

/** XElligatorSwift(x): a uniformly distributed 64-byte encoding u ‖ t of x (BIP-324). */
export function ellswiftEncode(x: Uint8Array, random: RandomSource): Uint8Array {
  const ell = x.length === 32 ? wasmEllswiftEncode(x, random) : undefined;
  if (ell === undefined) throw new NoiseError('BAD_KEY', 'not the x coordinate of a secp256k1 point');
  return ell;
}

/**
 * The x coordinate (32 bytes, big-endian) an ElligatorSwift encoding stands for: XSwiftEC(u, t) of
 * BIP-324 (u and t taken mod p). Every 64-byte string decodes; checked against
 * ellswift_decode_test_vectors.csv.
 */
export function ellswiftDecode(ell: Uint8Array): Uint8Array {
  if (ell.length !== ELLSWIFT_LEN) {
    throw new NoiseError('BAD_LENGTH', `ElligatorSwift key must be 64 bytes, got ${ell.length}`);
  }
  return wasmEllswiftDecode(ell);
}

/** A secp256k1 key pair with its x-only public key and one ElligatorSwift encoding of it. */
export interface EllswiftKeyPair {
  readonly secretKey: Uint8Array;
  readonly xOnly: Uint8Array;
  readonly ellswift: Uint8Array;
}

/** Whether the 32 bytes are a secret key: 0 < sk < n (big-endian). */
function isSecretKey(sk: Uint8Array): boolean {
  let nonZero = 0;
  for (const byte of sk) nonZero |= byte;
  if (sk.length !== 32 || nonZero === 0) return false;
  for (let i = 0; i < 32; i++) {
    if (sk[i] !== N_BYTES[i]) return sk[i]! < N_BYTES[i]!;
  }
  return false;
}

/** Throws BAD_KEY unless 0 < sk < n. */
export function assertSecretKey(sk: Uint8Array): void {
  if (sk.length !== 32) throw new NoiseError('BAD_KEY', 'secret key must be 32 bytes');
  if (!isSecretKey(sk)) throw new NoiseError('BAD_KEY', 'secret key out of range');
}

/**
 * The key pair of a secret key: its x-only public key and `ellswift` if given (checked to encode
 * that key), else a fresh ElligatorSwift encoding.
 */
export function keyPairFromSecret(
  secretKey: Uint8Array,
  random: RandomSource,
  ellswift?: Uint8Array,
): EllswiftKeyPair {
  assertSecretKey(secretKey);
  if (ellswift === undefined) {
    const both = wasmKeygen(secretKey, random)!;
    return {
      secretKey: Uint8Array.from(secretKey),
      xOnly: both.subarray(0, 32),
      ellswift: both.subarray(32),
    };
  }
  const xOnly = wasmPublicKeyX(secretKey)!;
  if (!Buffer.from(ellswiftDecode(ellswift)).equals(xOnly)) {
    throw new NoiseError('BAD_KEY', 'ElligatorSwift encoding does not match the secret key');
  }
  return { secretKey: Uint8Array.from(secretKey), xOnly, ellswift: Uint8Array.from(ellswift) };
}

/** A fresh random secret key (rejection-sampled into [1, n)). */
export function randomSecretKey(random: RandomSource): Uint8Array {
  for (;;) {
    const sk = random(32);
    if (isSecretKey(sk)) return Uint8Array.from(sk);
  }
}

export function generateKeyPair(random: RandomSource): EllswiftKeyPair {
  return keyPairFromSecret(randomSecretKey(random), random);
}

/** x(sk · P) for the point P with x coordinate `xTheirs` (either y: the result's x is the same). */
function multiplyX(secretKey: Uint8Array, xTheirs: Uint8Array): Uint8Array {
  const shared = wasmEcdhX(secretKey, xTheirs);
  // Cannot happen for a decoded ElligatorSwift x and a checked secret key; kept as a typed error.
  if (shared === undefined) throw new NoiseError('BAD_KEY', 'ECDH failed (x not on the curve or infinity)');
  return shared;
}

/** x(sk · P) where P is the point with x = decode(ellTheirs): ellswift_ecdh_xonly. */
export function xOnlyEcdh(ours: EllswiftKeyPair, ellTheirs: Uint8Array): Uint8Array {
  return multiplyX(ours.secretKey, ellswiftDecode(ellTheirs));
}

const TAG = sha256(new TextEncoder().encode('bip324_ellswift_xonly_ecdh'));

/**
 * BIP-324 v2_ecdh, SV2's ECDH: tagged_hash("bip324_ellswift_xonly_ecdh", ell_initiator ‖ ell_responder ‖ x).
 * The initiator's encoding always comes first, so each side says which one it is. Pass `xTheirs`
 * (= ellswiftDecode(ellTheirs)) when it is already known, to skip decoding it again.
 */
export function bip324Ecdh(
  ours: EllswiftKeyPair,
  ellTheirs: Uint8Array,
  initiating: boolean,
  xTheirs: Uint8Array = ellswiftDecode(ellTheirs),
): Uint8Array {
  const x = multiplyX(ours.secretKey, xTheirs);
  return initiating
    ? sha256(TAG, TAG, ours.ellswift, ellTheirs, x)
    : sha256(TAG, TAG, ellTheirs, ours.ellswift, x);
}

/**
 * The responder's two BIP-324 ECDHs against the initiator's ephemeral encoding `ellTheirs`:
 * [ee, es] = [v2_ecdh(e, re), v2_ecdh(s, re)], both multiplications in one call into the module.
 */
export function responderEcdh(
  e: EllswiftKeyPair,
  s: EllswiftKeyPair,
  ellTheirs: Uint8Array,
): [Uint8Array, Uint8Array] {
  if (ellTheirs.length !== ELLSWIFT_LEN) {
    throw new NoiseError('BAD_LENGTH', `ElligatorSwift key must be 64 bytes, got ${ellTheirs.length}`);
  }
  const xs = wasmEcdh2Ell(ellTheirs, e.secretKey, s.secretKey);
  // Cannot happen for checked secret keys; kept as a typed error.
  if (xs === undefined) throw new NoiseError('BAD_KEY', 'ECDH failed (secret key out of range)');
  return [
    sha256(TAG, TAG, ellTheirs, e.ellswift, xs.subarray(0, 32)),
    sha256(TAG, TAG, ellTheirs, s.ellswift, xs.subarray(32, 64)),
  ];
}
