/**
 * The managed Redis password: a generated Secret `<pool>-redis-auth` (create-only, as the
 * Noise Secret; CloudNativePG generates its `<cluster>-app` credentials the same way) with
 * the password the pool services send (`password`) and the ACL file Redis loads
 * (`users.acl`), which holds only the password's SHA-256, so the server never sees it in
 * clear and no `requirepass` appears on a command line.
 */
import { randomBytes } from 'node:crypto';
import type { MiningPool } from '../api/types.js';
import { childName, generatedSecret, sha256, type K8sObject } from './meta.js';

export const REDIS_AUTH_KEYS = { password: 'password', aclFile: 'users.acl' } as const;

export const redisAuthSecretName = (pool: MiningPool): string => `${childName(pool, 'redis')}-auth`;

export const generateRedisPassword = (): string => randomBytes(32).toString('hex');

/** The default user, password required, every key/channel/command (the pool is the only client). */
export const redisAclFile = (password: string): string =>
  `user default on #${sha256(password)} ~* &* +@all\n`;

export function redisAuthSecret(pool: MiningPool, password: string): K8sObject {
  return generatedSecret(pool, 'redis', redisAuthSecretName(pool), {
    [REDIS_AUTH_KEYS.password]: password,
    [REDIS_AUTH_KEYS.aclFile]: redisAclFile(password),
  });
}
