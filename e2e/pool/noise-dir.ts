/**
 * A temporary Noise key directory laid out as the operator mounts its Secret (hex files
 * `authority-secret-key` and `static-secret-key`, read by pool/src/stratum/service.ts), for
 * tests that start stratum services the way a pod does.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { schnorr } from '@noble/curves/secp256k1.js';
import { encodeAuthorityPublicKey } from '../../pool/src/sv2/noise/index.js';

export interface NoiseDir {
  readonly dir: string;
  /** The authority public key as miners and translators are configured with it (base58check). */
  readonly authorityPublicKey: string;
  remove(): void;
}

export function makeNoiseDir(): NoiseDir {
  const dir = mkdtempSync(join(tmpdir(), 'eaglepool-noise-'));
  const authoritySecret = schnorr.utils.randomSecretKey();
  writeFileSync(join(dir, 'authority-secret-key'), Buffer.from(authoritySecret).toString('hex'));
  writeFileSync(join(dir, 'static-secret-key'), Buffer.from(schnorr.utils.randomSecretKey()).toString('hex'));
  return {
    dir,
    authorityPublicKey: encodeAuthorityPublicKey(schnorr.getPublicKey(authoritySecret)),
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}
