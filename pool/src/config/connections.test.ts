import { describe, expect, it } from 'vitest';
import { kafkaSecurity, redisSecurity } from './connections.js';
import { ConfigError, loadConfig } from './index.js';

const load = (env: Record<string, string>) => loadConfig({ file: null, env });
const files: Record<string, string> = { '/ca.pem': '-----BEGIN CERTIFICATE-----\nx\n' };
const read = (path: string): string => {
  const f = files[path];
  if (f === undefined) throw new Error('ENOENT');
  return f;
};

describe('kafka connection security', () => {
  it('is plaintext without options', () => {
    expect(kafkaSecurity(load({}).kafka, read)).toEqual({});
  });

  it('builds TLS with a CA file and SASL/SCRAM from the environment', () => {
    const c = load({
      EAGLEPOOL_KAFKA_TLS: 'true',
      EAGLEPOOL_KAFKA_TLS_CA_FILE: '/ca.pem',
      EAGLEPOOL_KAFKA_SASL_MECHANISM: 'scram-sha-512',
      EAGLEPOOL_KAFKA_SASL_USERNAME: 'pool',
      EAGLEPOOL_KAFKA_SASL_PASSWORD: 's3cret',
    });
    expect(kafkaSecurity(c.kafka, read)).toEqual({
      ssl: { ca: files['/ca.pem'] },
      sasl: { mechanism: 'scram-sha-512', username: 'pool', password: 's3cret' },
    });
  });

  it('TLS without a CA file trusts the system CAs', () => {
    expect(kafkaSecurity(load({ EAGLEPOOL_KAFKA_TLS: '1' }).kafka, read)).toEqual({ ssl: {} });
  });

  it('refuses SASL without credentials, a CA without TLS and an unreadable CA, naming the key', () => {
    expect(() => kafkaSecurity(load({ EAGLEPOOL_KAFKA_SASL_MECHANISM: 'plain' }).kafka, read)).toThrow(
      /kafka\.saslMechanism=plain needs kafka\.saslUsername and kafka\.saslPassword/,
    );
    expect(() => kafkaSecurity(load({ EAGLEPOOL_KAFKA_TLS_CA_FILE: '/ca.pem' }).kafka, read)).toThrow(
      ConfigError,
    );
    expect(() =>
      kafkaSecurity(load({ EAGLEPOOL_KAFKA_TLS: 'true', EAGLEPOOL_KAFKA_TLS_CA_FILE: '/nope' }).kafka, read),
    ).toThrow(/kafka\.tlsCaFile: cannot read CA file \/nope/);
    expect(() => load({ EAGLEPOOL_KAFKA_SASL_MECHANISM: 'gssapi' })).toThrow(
      /EAGLEPOOL_KAFKA_SASL_MECHANISM/,
    );
  });
});

describe('redis connection security', () => {
  it('passes the ACL user and password, and TLS for rediss:// URLs or redis.tls', () => {
    expect(redisSecurity(load({ EAGLEPOOL_REDIS_URL: 'redis://r:6379' }).redis, read)).toEqual({});
    expect(
      redisSecurity(
        load({
          EAGLEPOOL_REDIS_URL: 'rediss://r:6380',
          EAGLEPOOL_REDIS_USERNAME: 'pool',
          EAGLEPOOL_REDIS_PASSWORD: 'pw',
          EAGLEPOOL_REDIS_TLS_CA_FILE: '/ca.pem',
        }).redis,
        read,
      ),
    ).toEqual({ username: 'pool', password: 'pw', tls: { ca: files['/ca.pem'] } });
    expect(
      redisSecurity(load({ EAGLEPOOL_REDIS_URL: 'redis://r:6379', EAGLEPOOL_REDIS_TLS: 'true' }).redis, read),
    ).toEqual({ tls: {} });
  });

  it('refuses a CA file without TLS', () => {
    expect(() =>
      redisSecurity(
        load({ EAGLEPOOL_REDIS_URL: 'redis://r:6379', EAGLEPOOL_REDIS_TLS_CA_FILE: '/ca.pem' }).redis,
        read,
      ),
    ).toThrow(/redis\.tlsCaFile is set but redis\.tls is false/);
  });
});
