/**
 * The Noise key Secret: an authority key pair (miners pin its public key; it signs the
 * stratum certificates) and the stratum static key pair, secp256k1 x-only (BIP340) keys as
 * the SV2 Noise NX handshake uses them, generated with @noble/curves and stored in the SRI
 * encodings that `eaglepool keys` prints (base58check; public keys with the [1, 0] version
 * prefix). Created once and never updated: the reconciler only ever POSTs it, so an existing
 * Secret keeps its keys.
 */
import { schnorr } from '@noble/curves/secp256k1.js';
import { encodeAuthorityPublicKey, encodeSecretKey } from '../../../pool/src/sv2/noise/keys.js';
import type { MiningPool } from '../api/types.js';
import { childMeta, type K8sObject } from './meta.js';

export interface NoiseKeys {
  authorityPublicKey: string;
  authoritySecretKey: string;
  staticPublicKey: string;
  staticSecretKey: string;
}

export function generateNoiseKeys(): NoiseKeys {
  const authority = schnorr.utils.randomSecretKey();
  const staticKey = schnorr.utils.randomSecretKey();
  return {
    authorityPublicKey: encodeAuthorityPublicKey(schnorr.getPublicKey(authority)),
    authoritySecretKey: encodeSecretKey(authority),
    staticPublicKey: encodeAuthorityPublicKey(schnorr.getPublicKey(staticKey)),
    staticSecretKey: encodeSecretKey(staticKey),
  };
}

/** Secret keys = file names under the stratum's NOISE_DIR mount. */
export const NOISE_SECRET_KEYS = {
  authorityPublicKey: 'authority_public_key',
  authoritySecretKey: 'authority_secret_key',
  staticPublicKey: 'static_public_key',
  staticSecretKey: 'static_secret_key',
} as const satisfies Record<keyof NoiseKeys, string>;

export function noiseSecret(pool: MiningPool, keys: NoiseKeys): K8sObject {
  const stringData: Record<string, string> = {};
  for (const [field, key] of Object.entries(NOISE_SECRET_KEYS))
    stringData[key] = keys[field as keyof NoiseKeys];
  return {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: childMeta(pool, 'noise'),
    type: 'Opaque',
    immutable: true,
    stringData,
  };
}
