/**
 * Connection security of the backing services, from the config: TLS (with an optional CA
 * bundle file) and credentials for Kafka (SASL) and Redis (AUTH / ACL user). Credentials
 * arrive through the environment from Secrets (docs/operator.md), never through the file.
 */
import { readFileSync } from 'node:fs';
import type { ConnectionOptions } from 'node:tls';
import type { SASLOptions } from 'kafkajs';
import { ConfigError } from './fields.js';
import type { PoolConfig } from './schema.js';

export type ReadFile = (path: string) => string;
const readUtf8: ReadFile = (path) => readFileSync(path, 'utf8');

function tlsOptions(key: string, caFile: string | undefined, read: ReadFile): ConnectionOptions {
  if (!caFile) return {};
  try {
    return { ca: read(caFile) };
  } catch (err) {
    throw new ConfigError(`${key}: cannot read CA file ${caFile}: ${(err as Error).message}`);
  }
}

export interface KafkaSecurity {
  ssl?: ConnectionOptions;
  sasl?: SASLOptions;
}

export function kafkaSecurity(kafka: PoolConfig['kafka'], read: ReadFile = readUtf8): KafkaSecurity {
  const out: KafkaSecurity = {};
  if (kafka.tls) out.ssl = tlsOptions('kafka.tlsCaFile', kafka.tlsCaFile, read);
  else if (kafka.tlsCaFile) throw new ConfigError('kafka.tlsCaFile is set but kafka.tls is false');
  if (kafka.saslMechanism !== 'none') {
    if (!kafka.saslUsername || !kafka.saslPassword)
      throw new ConfigError(
        `kafka.saslMechanism=${kafka.saslMechanism} needs kafka.saslUsername and kafka.saslPassword`,
      );
    const { saslMechanism: mechanism, saslUsername: username, saslPassword: password } = kafka;
    // One object shape for the three mechanisms; kafkajs types them as a union per mechanism.
    out.sasl = { mechanism, username, password } as SASLOptions;
  }
  return out;
}

export interface RedisSecurity {
  username?: string;
  password?: string;
  tls?: ConnectionOptions;
}

export function redisSecurity(redis: PoolConfig['redis'], read: ReadFile = readUtf8): RedisSecurity {
  const out: RedisSecurity = {};
  if (redis.username) out.username = redis.username;
  if (redis.password) out.password = redis.password;
  const tls = redis.tls || redis.url?.startsWith('rediss:') === true;
  if (tls) out.tls = tlsOptions('redis.tlsCaFile', redis.tlsCaFile, read);
  else if (redis.tlsCaFile) throw new ConfigError('redis.tlsCaFile is set but redis.tls is false');
  return out;
}
