/**
 * BIP-324 ElligatorSwift keys and x-only ECDH for the SV2 handshake.
 *
 * XSwiftEC (decode) and XSwiftECInv run in WebAssembly on RustCrypto k256's field
 * (pool/noise-wasm/secp, secp-wasm.ts); the XElligatorSwift loop stays here so its randomness is
 * injectable. Checked against BIP-324's published vectors (ellswift.test.ts) and against
 * @scure/btc-signer's experimental `elligatorSwift` (BigInt, ~6× slower to decode).
 * ECDH x(k·P): k256's constant-time multiplication in the same module (~25 % cheaper here than
 * tiny-secp256k1's `pointMultiply`, which is variable-time in the scalar); k·G: libsecp256k1 in
 * WebAssembly (tiny-secp256k1's constant-time `ecmult_gen` with precomputed tables, cheaper than
 * k256 0.11's generic multiply). Both cross-checked against BIP-324's packet_encoding vectors.
 */
import * as secp from 'tiny-secp256k1';
import { secp256k1 } from '@noble/curves/secp256k1.js';
import { ELLSWIFT_LEN } from './constants.js';
import { NoiseError } from './errors.js';
import { wasmEcdhX, wasmEllswiftDecode, wasmEllswiftInv, wasmIsValidX } from './secp-wasm.js';
import { sha256 } from './symmetric-state.js';

/** Source of cryptographic randomness (injectable for deterministic tests). */
export type RandomSource = (n: number) => Uint8Array;

const P = secp256k1.Point.Fp.ORDER;
const N = secp256k1.Point.Fn.ORDER;

const toBig = (b: Uint8Array): bigint =>
  BigInt('0x' + Buffer.from(b.buffer, b.byteOffset, b.length).toString('hex'));
const to32 = (v: bigint, out: Uint8Array = new Uint8Array(32), off = 0): Uint8Array => {
  Buffer.from(out.buffer, out.byteOffset, out.length).write(v.toString(16).padStart(64, '0'), off, 'hex');
  return out;
};

/**
 * Reduces the 32-byte big-endian number at b[off..off+32] mod p in place. Only values ≥ p change
 * (~2^-128 of random strings; BIP-324's vectors have some); they all start with four 0xff bytes,
 * so anything else is left alone without a BigInt conversion.
 */
function reduceInPlace(b: Uint8Array, off: number): void {
  if ((b[off]! & b[off + 1]! & b[off + 2]! & b[off + 3]!) !== 0xff) return;
  const v = toBig(b.subarray(off, off + 32));
  if (v >= P) to32(v - P, b, off);
}

/**
 * XSwiftECInv(x, u, case) of BIP-324: the t with XSwiftEC(u, t) = x for this case, or undefined.
 * Same steps as BIP-324's reference.py; checked against xswiftec_inv_test_vectors.csv.
 */
export function xswiftecInv(x: bigint, u: bigint, ellCase: number): bigint | undefined {
  const t = new Uint8Array(32);
  return wasmEllswiftInv(to32(x % P), to32(u % P), ellCase & 7, t, 0) ? toBig(t) : undefined;
}

/** XElligatorSwift(x): a uniformly distributed 64-byte encoding u ‖ t of x (BIP-324). */
export function ellswiftEncode(x: Uint8Array, random: RandomSource): Uint8Array {
  if (x.length !== 32 || toBig(x) >= P || !wasmIsValidX(x)) {
    throw new NoiseError('BAD_KEY', 'not the x coordinate of a secp256k1 point');
  }
  const out = new Uint8Array(ELLSWIFT_LEN);
  for (;;) {
    const r = random(33);
    out.set(r.subarray(0, 32), 0);
    reduceInPlace(out, 0);
    if (out.subarray(0, 32).every((byte) => byte === 0)) continue;
    if (wasmEllswiftInv(x, out.subarray(0, 32), r[32]! & 7, out, 32)) return out;
  }
}

/**
 * The x coordinate (32 bytes, big-endian) an ElligatorSwift encoding stands for: XSwiftEC(u, t) of
 * BIP-324. Every 64-byte string decodes; checked against ellswift_decode_test_vectors.csv.
 */
export function ellswiftDecode(ell: Uint8Array): Uint8Array {
  if (ell.length !== ELLSWIFT_LEN) {
    throw new NoiseError('BAD_LENGTH', `ElligatorSwift key must be 64 bytes, got ${ell.length}`);
  }
  const reduced = Uint8Array.from(ell);
  reduceInPlace(reduced, 0);
  reduceInPlace(reduced, 32);
  return wasmEllswiftDecode(reduced);
}

/** A secp256k1 key pair with its x-only public key and one ElligatorSwift encoding of it. */
export interface EllswiftKeyPair {
  readonly secretKey: Uint8Array;
  readonly xOnly: Uint8Array;
  readonly ellswift: Uint8Array;
}

/** Throws BAD_KEY unless 0 < sk < n. */
export function assertSecretKey(sk: Uint8Array): void {
  if (sk.length !== 32) throw new NoiseError('BAD_KEY', 'secret key must be 32 bytes');
  const v = toBig(sk);
  if (v === 0n || v >= N) throw new NoiseError('BAD_KEY', 'secret key out of range');
}

export function keyPairFromSecret(
  secretKey: Uint8Array,
  random: RandomSource,
  ellswift?: Uint8Array,
): EllswiftKeyPair {
  assertSecretKey(secretKey);
  const xOnly = Uint8Array.from(secp.xOnlyPointFromScalar(secretKey));
  if (ellswift !== undefined && !Buffer.from(ellswiftDecode(ellswift)).equals(xOnly)) {
    throw new NoiseError('BAD_KEY', 'ElligatorSwift encoding does not match the secret key');
  }
  return {
    secretKey: Uint8Array.from(secretKey),
    xOnly,
    ellswift: ellswift ?? ellswiftEncode(xOnly, random),
  };
}

/** A fresh random secret key (rejection-sampled into [1, n)). */
export function randomSecretKey(random: RandomSource): Uint8Array {
  for (;;) {
    const sk = random(32);
    const v = toBig(sk);
    if (v !== 0n && v < N) return Uint8Array.from(sk);
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
