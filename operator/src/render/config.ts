/**
 * The configuration contract between the operator and the pool services: a ConfigMap with
 * `/etc/eaglepool/config.json` plus `EAGLEPOOL_*` environment variables (secrets only via env).
 * docs/operator.md lists every key; the services' config loader reads the same names.
 */
import type { MiningPool } from '../api/types.js';
import { childMeta, childName, sha256, stableJson, type Component, type K8sObject } from './meta.js';

export const CONFIG_DIR = '/etc/eaglepool';
export const CONFIG_FILE = `${CONFIG_DIR}/config.json`;
export const NOISE_DIR = `${CONFIG_DIR}/noise`;
export const METRICS_PORT = 9090;
export const JOBMAKER_GRPC_PORT = 50051;
export const BLOCKMAKER_GRPC_PORT = 50052;
export const CKB_RPC_PORT = 8114;
export const CKB_P2P_PORT = 8115;
export const KAFKA_PORT = 9092;
export const KAFKA_CONTROLLER_PORT = 9093;
export const REDIS_PORT = 6379;

/** `<name>.<namespace>.svc` */
export const serviceHost = (pool: MiningPool, component: Component): string =>
  `${childName(pool, component)}.${pool.metadata.namespace}.svc`;

export function ckbRpcUrl(pool: MiningPool): string {
  return pool.spec.ckb.external?.rpcUrl ?? `http://${serviceHost(pool, 'ckb')}:${CKB_RPC_PORT}`;
}

/** The non-secret pool configuration every service reads from CONFIG_FILE. */
export function poolConfig(pool: MiningPool): Record<string, unknown> {
  const { spec } = pool;
  return {
    network: spec.network,
    payout: spec.payout,
    ckb: { rpcUrl: ckbRpcUrl(pool) },
    // Managed brokers/URL are written here; external ones come from Secrets through env only.
    kafka: spec.kafka.external
      ? {}
      : {
          brokers: [`${childName(pool, 'kafka')}-0.${serviceHost(pool, 'kafka')}:${KAFKA_PORT}`],
          partitions: spec.kafka.managed?.partitions,
        },
    redis: spec.redis.external ? {} : { url: `redis://${serviceHost(pool, 'redis')}:${REDIS_PORT}` },
    jobmaker: { url: `${serviceHost(pool, 'jobmaker')}:${JOBMAKER_GRPC_PORT}`, port: JOBMAKER_GRPC_PORT },
    blockmaker: {
      url: `${serviceHost(pool, 'blockmaker')}:${BLOCKMAKER_GRPC_PORT}`,
      port: BLOCKMAKER_GRPC_PORT,
    },
    stratum: { port: spec.stratum.port, vardiff: spec.stratum.vardiff, noiseDir: NOISE_DIR },
    translator: {
      port: spec.translator.port,
      upstream: `${serviceHost(pool, 'stratum')}:${spec.stratum.port}`,
    },
    metrics: { port: METRICS_PORT },
  };
}

export function configMap(pool: MiningPool): K8sObject {
  return {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: childMeta(pool, 'config'),
    data: { 'config.json': `${JSON.stringify(poolConfig(pool), null, 2)}\n` },
  };
}

/** Put on pod templates so pods roll when the configuration changes. */
export const configHash = (pool: MiningPool): string => sha256(stableJson(poolConfig(pool))).slice(0, 16);

type EnvVar = { name: string; value?: string; valueFrom?: Record<string, unknown> };

/** Environment shared by every pool container. */
export function commonEnv(pool: MiningPool): EnvVar[] {
  const { spec } = pool;
  const cfg = poolConfig(pool) as {
    kafka: { brokers?: string[] };
    redis: { url?: string };
    jobmaker: { url: string };
    blockmaker: { url: string };
  };
  const kafka: EnvVar = spec.kafka.external
    ? {
        name: 'EAGLEPOOL_KAFKA_BROKERS',
        valueFrom: { secretKeyRef: { ...spec.kafka.external.brokersSecretRef } },
      }
    : { name: 'EAGLEPOOL_KAFKA_BROKERS', value: cfg.kafka.brokers!.join(',') };
  const redis: EnvVar = spec.redis.external
    ? { name: 'EAGLEPOOL_REDIS_URL', valueFrom: { secretKeyRef: { ...spec.redis.external.urlSecretRef } } }
    : { name: 'EAGLEPOOL_REDIS_URL', value: cfg.redis.url! };
  return [
    { name: 'EAGLEPOOL_CONFIG', value: CONFIG_FILE },
    { name: 'EAGLEPOOL_NETWORK', value: spec.network },
    { name: 'EAGLEPOOL_CKB_RPC_URL', value: ckbRpcUrl(pool) },
    kafka,
    redis,
    { name: 'EAGLEPOOL_JOBMAKER_URL', value: cfg.jobmaker.url },
    { name: 'EAGLEPOOL_BLOCKMAKER_URL', value: cfg.blockmaker.url },
    { name: 'EAGLEPOOL_METRICS_PORT', value: String(METRICS_PORT) },
    { name: 'EAGLEPOOL_POD_NAME', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } },
    { name: 'EAGLEPOOL_POOL_NAME', value: pool.metadata.name },
  ];
}
