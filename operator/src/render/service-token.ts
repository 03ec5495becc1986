/**
 * The shared token every gRPC call between the pool services carries (`services.tokenFile`,
 * pool/src/services/grpc.ts): a generated Secret `<pool>-service-token` (create-only, as the
 * Redis password), mounted as a file into the job maker, the block maker and stratum, the
 * processes that serve or call gRPC.
 */
import { randomBytes } from 'node:crypto';
import type { MiningPool } from '../api/types.js';
import { SERVICE_TOKEN_DIR, SERVICE_TOKEN_KEY } from './config.js';
import { generatedSecret, type K8sObject } from './meta.js';

export const serviceTokenSecretName = (pool: MiningPool): string => `${pool.metadata.name}-service-token`;

/** 64 hex characters (the services require at least 32). */
export const generateServiceToken = (): string => randomBytes(32).toString('hex');

export function serviceTokenSecret(pool: MiningPool, token: string): K8sObject {
  return generatedSecret(pool, 'config', serviceTokenSecretName(pool), { [SERVICE_TOKEN_KEY]: token });
}

/** The Secret volume and its read-only mount. */
export function serviceTokenVolume(pool: MiningPool): { volume: unknown; mount: unknown } {
  return {
    volume: {
      name: 'service-token',
      secret: { secretName: serviceTokenSecretName(pool), defaultMode: 0o400 },
    },
    mount: { name: 'service-token', mountPath: SERVICE_TOKEN_DIR, readOnly: true },
  };
}
