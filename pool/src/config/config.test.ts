import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, configKeys, envName, loadConfig, requireDistributed } from './index.js';

const noEnv = {};

function file(json: unknown): string {
  const dir = mkdtempSync(join(tmpdir(), 'eaglepool-config-'));
  const path = join(dir, 'config.json');
  writeFileSync(path, typeof json === 'string' ? json : JSON.stringify(json));
  return path;
}

describe('config', () => {
  it('has defaults for every key', () => {
    const c = loadConfig({ env: noEnv });
    expect(c.ckb.rpcUrl).toBe('http://127.0.0.1:8114');
    expect(c.kafka.brokers).toEqual([]);
    expect(c.redis.url).toBeUndefined();
    expect(c.jobmaker.grpcListen).toBe('0.0.0.0:50051');
  });

  it('derives env names from key paths', () => {
    expect(envName('ckb.rpcUrl')).toBe('EAGLEPOOL_CKB_RPC_URL');
    expect(envName('kafka.brokers')).toBe('EAGLEPOOL_KAFKA_BROKERS');
    expect(envName('stratum.replicaLeaseTtlMs')).toBe('EAGLEPOOL_STRATUM_REPLICA_LEASE_TTL_MS');
  });

  it('stratum.ackWindowMs: 0 by default, from env or --set, bounded to 0..60000', () => {
    expect(loadConfig({ env: noEnv }).stratum.ackWindowMs).toBe(0);
    expect(loadConfig({ env: { EAGLEPOOL_STRATUM_ACK_WINDOW_MS: '2000' } }).stratum.ackWindowMs).toBe(2000);
    expect(loadConfig({ env: noEnv, sets: ['stratum.ackWindowMs=250'] }).stratum.ackWindowMs).toBe(250);
    expect(() => loadConfig({ env: noEnv, sets: ['stratum.ackWindowMs=60001'] })).toThrow(ConfigError);
    expect(() => loadConfig({ env: noEnv, sets: ['stratum.ackWindowMs=-1'] })).toThrow(ConfigError);
  });

  it('layers file < env < --set', () => {
    const path = file({ logLevel: 'debug', ckb: { pollIntervalMs: 200, rpcUrl: 'http://node:8114' } });
    const c = loadConfig({
      file: path,
      env: { EAGLEPOOL_CKB_POLL_INTERVAL_MS: '300', EAGLEPOOL_KAFKA_BROKERS: 'k1:9092, k2:9092' },
      sets: ['ckb.pollIntervalMs=400'],
    });
    expect(c.logLevel).toBe('debug');
    expect(c.ckb.rpcUrl).toBe('http://node:8114');
    expect(c.ckb.pollIntervalMs).toBe(400);
    expect(c.kafka.brokers).toEqual(['k1:9092', 'k2:9092']);
  });

  it('rejects unknown keys in the file, with a suggestion', () => {
    expect(() => loadConfig({ file: file({ ckb: { rpcURL: 'http://x' } }), env: noEnv })).toThrow(
      /unknown key "ckb.rpcURL".*ckb.rpcUrl/,
    );
    expect(() => loadConfig({ file: file({ nope: 1 }), env: noEnv })).toThrow(ConfigError);
    expect(() => loadConfig({ sets: ['ckb.nope=1'], env: noEnv })).toThrow(/unknown key "ckb.nope"/);
  });

  it('reports every bad value with its source', () => {
    const err = (() => {
      try {
        loadConfig({
          file: file({ redis: { url: 'http://redis:6379' } }),
          env: { EAGLEPOOL_CKB_RPC_URL: 'not a url', EAGLEPOOL_JOBMAKER_HEALTH_PORT: '70000' },
          sets: ['jobmaker.grpcListen=nohostport'],
        });
      } catch (e) {
        return e as Error;
      }
      return undefined;
    })();
    expect(err).toBeInstanceOf(ConfigError);
    expect(err!.message).toMatch(/redis\.url .*scheme must be one of redis:\/\/, rediss:\/\//);
    expect(err!.message).toMatch(/EAGLEPOOL_CKB_RPC_URL \(environment\): not a valid URL/);
    expect(err!.message).toMatch(/EAGLEPOOL_JOBMAKER_HEALTH_PORT .*\[0, 65535\]/);
    expect(err!.message).toMatch(/jobmaker\.grpcListen \(--set\): expected "host:port"/);
  });

  it('rejects a file that is not JSON', () => {
    expect(() => loadConfig({ file: file('{ nope'), env: noEnv })).toThrow(/not valid JSON/);
  });

  it('requires Redis and Kafka for standalone services', () => {
    expect(() => requireDistributed(loadConfig({ env: noEnv }), 'jobmaker')).toThrow(
      /redis\.url.*kafka\.brokers/,
    );
    const c = loadConfig({
      env: { EAGLEPOOL_REDIS_URL: 'redis://r:6379', EAGLEPOOL_KAFKA_BROKERS: 'k:9092' },
    });
    expect(() => requireDistributed(c, 'jobmaker')).not.toThrow();
  });

  it('every key is documented in docs/services.md', () => {
    const doc = readFileSync(new URL('../../../docs/services.md', import.meta.url), 'utf8');
    const missing = configKeys().filter((k) => !doc.includes(`\`${k.path}\``) || !doc.includes(k.env));
    expect(missing.map((k) => k.path)).toEqual([]);
  });
});
