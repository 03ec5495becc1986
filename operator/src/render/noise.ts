/**
 * The Noise key Secret: an authority key pair (miners pin its public key; it signs the
 * stratum certificates) and the stratum static key pair, secp256k1 x-only (BIP340) keys as
 * the SV2 Noise NX handshake uses them, generated with @noble/curves, 64 hex digits each.
 * Mounted as files into the stratum pods, where `eaglepool pool stratum` reads
 * `static-secret-key` and `authority-secret-key` (pool/src/stratum/service.ts readNoiseKeys).
 * Created once and never updated: the reconciler only ever POSTs it, so an existing Secret
 * keeps its keys.
 */
import { schnorr } from '@noble/curves/secp256k1.js';
import { bytesToHex, hexToBytes } from '@noble/hashes/utils.js';
import { encodeAuthorityPublicKey } from '../../../pool/src/sv2/noise/keys.js';
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
    authorityPublicKey: bytesToHex(schnorr.getPublicKey(authority)),
    authoritySecretKey: bytesToHex(authority),
    staticPublicKey: bytesToHex(schnorr.getPublicKey(staticKey)),
    staticSecretKey: bytesToHex(staticKey),
  };
}

/** Secret keys = file names under the stratum's Noise mount. */
export const NOISE_SECRET_KEYS = {
  authorityPublicKey: 'authority-public-key',
  authoritySecretKey: 'authority-secret-key',
  staticPublicKey: 'static-public-key',
  staticSecretKey: 'static-secret-key',
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

/** The authority public key as miners paste it (SRI base58check); undefined if `hex` is not 32 bytes of hex. */
export function sriAuthorityKey(hex: string): string | undefined {
  const t = hex.trim();
  return /^[0-9a-fA-F]{64}$/.test(t) ? encodeAuthorityPublicKey(hexToBytes(t.toLowerCase())) : undefined;
}
