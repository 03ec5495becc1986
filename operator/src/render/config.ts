/**
 * The configuration contract between the operator and the pool services. The services load
 * config as defaults < JSON file (`/etc/eaglepool/config.json`, $EAGLEPOOL_CONFIG) < EAGLEPOOL_*
 * environment (pool/src/config/schema.ts); unknown file keys are rejected there, so the file
 * holds only keys of that schema. Secrets (external Kafka/Redis) arrive through env only.
 * Keys the services do not have yet are passed as env vars (see docs/operator.md).
 */
import type { MiningPool, SecretKeyRef } from '../api/types.js';
import { childMeta, childName, sha256, stableJson, type Component, type K8sObject } from './meta.js';
import { REDIS_AUTH_KEYS, redisAuthSecretName } from './redis-auth.js';

export const CONFIG_DIR = '/etc/eaglepool';
export const CONFIG_FILE = `${CONFIG_DIR}/config.json`;
export const NOISE_DIR = `${CONFIG_DIR}/noise`;
export const SERVICE_TOKEN_KEY = 'token';
export const SERVICE_TOKEN_DIR = `${CONFIG_DIR}/service-token`;
/** CA bundles of external Kafka/Redis, mounted from the user's Secrets. */
export const CA_MOUNTS = {
  kafka: { volume: 'kafka-ca', dir: `${CONFIG_DIR}/kafka-ca` },
  redis: { volume: 'redis-ca', dir: `${CONFIG_DIR}/redis-ca` },
} as const;
const CA_FILE = 'ca.crt';
/** /metrics, /healthz, /readyz of every pool service. */
export const METRICS_PORT = 9090;
export const JOBMAKER_GRPC_PORT = 50051;
export const BLOCKMAKER_GRPC_PORT = 50052;
export const SHAREPROCESSOR_HTTP_PORT = 8080;
export const CKB_RPC_PORT = 8114;
export const CKB_P2P_PORT = 8115;
export const CKB_SUBSCRIBE_PORT = 18114;
export const KAFKA_PORT = 9092;
export const KAFKA_CONTROLLER_PORT = 9093;
export const REDIS_PORT = 6379;

/** `<name>.<namespace>.svc` */
export const serviceHost = (pool: MiningPool, component: Component): string =>
  `${childName(pool, component)}.${pool.metadata.namespace}.svc`;

export function ckbRpcUrl(pool: MiningPool): string {
  return pool.spec.ckb.external?.rpcUrl ?? `http://${serviceHost(pool, 'ckb')}:${CKB_RPC_PORT}`;
}

export const kafkaBootstrap = (pool: MiningPool): string =>
  `${childName(pool, 'kafka')}-0.${serviceHost(pool, 'kafka')}:${KAFKA_PORT}`;

/** The pool services' config file (keys of pool/src/config/schema.ts only). */
export function poolConfig(pool: MiningPool): Record<string, unknown> {
  const { spec } = pool;
  const { namespace, name } = pool.metadata;
  const managedCkb = !spec.ckb.external;
  const kafkaExt = spec.kafka.external;
  const redisExt = spec.redis.external;
  return {
    ckb: {
      rpcUrl: ckbRpcUrl(pool),
      ...(managedCkb ? { subscribeUrl: `tcp://${serviceHost(pool, 'ckb')}:${CKB_SUBSCRIBE_PORT}` } : {}),
    },
    // Namespaced keys and topics: several pools may share an external Redis or Kafka.
    redis: {
      keyPrefix: `eaglepool:${namespace}.${name}:`,
      ...(redisExt ? {} : { url: `redis://${serviceHost(pool, 'redis')}:${REDIS_PORT}` }),
      ...tlsConfig('redis', redisExt?.tls),
    },
    kafka: {
      topicPrefix: `eaglepool.${namespace}.${name}`,
      ...tlsConfig('kafka', kafkaExt?.tls),
      ...(kafkaExt?.authentication ? { saslMechanism: kafkaExt.authentication.type } : {}),
      ...(kafkaExt
        ? {}
        : {
            brokers: [kafkaBootstrap(pool)],
            partitions: spec.kafka.managed!.partitions,
            replicationFactor: 1,
          }),
    },
    services: {
      jobmakerUrl: `${serviceHost(pool, 'jobmaker')}:${JOBMAKER_GRPC_PORT}`,
      blockmakerUrl: `${serviceHost(pool, 'blockmaker')}:${BLOCKMAKER_GRPC_PORT}`,
      // The generated Secret (render/service-token.ts), mounted where gRPC is served or called.
      tokenFile: `${SERVICE_TOKEN_DIR}/${SERVICE_TOKEN_KEY}`,
    },
    jobmaker: { grpcListen: `0.0.0.0:${JOBMAKER_GRPC_PORT}`, healthPort: METRICS_PORT },
    blockmaker: { grpcListen: `0.0.0.0:${BLOCKMAKER_GRPC_PORT}`, healthPort: METRICS_PORT },
    shareprocessor: { httpListen: `0.0.0.0:${SHAREPROCESSOR_HTTP_PORT}`, healthPort: METRICS_PORT },
    stratum: {
      listen: `0.0.0.0:${spec.stratum.port}`,
      healthPort: METRICS_PORT,
      minDifficulty: spec.stratum.vardiff.minDifficulty,
      ackWindowMs: spec.stratum.ackWindowMs,
    },
  };
}

function tlsConfig(
  service: keyof typeof CA_MOUNTS,
  tls: { enabled: boolean; caSecretRef?: SecretKeyRef } | undefined,
): Record<string, unknown> {
  if (!tls?.enabled) return {};
  return { tls: true, ...(tls.caSecretRef ? { tlsCaFile: `${CA_MOUNTS[service].dir}/${CA_FILE}` } : {}) };
}

/** Secret volumes of the external services' CA bundles (each key mounted as ca.crt). */
export function caVolumes(pool: MiningPool): { volumes: unknown[]; mounts: unknown[] } {
  const volumes: unknown[] = [];
  const mounts: unknown[] = [];
  for (const service of ['kafka', 'redis'] as const) {
    const tls = pool.spec[service].external?.tls;
    if (!tls?.enabled || !tls.caSecretRef) continue;
    const { volume, dir } = CA_MOUNTS[service];
    volumes.push({
      name: volume,
      secret: { secretName: tls.caSecretRef.name, items: [{ key: tls.caSecretRef.key, path: CA_FILE }] },
    });
    mounts.push({ name: volume, mountPath: dir, readOnly: true });
  }
  return { volumes, mounts };
}

export function configMap(pool: MiningPool): K8sObject {
  return {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: childMeta(pool, 'config'),
    data: { 'config.json': `${JSON.stringify(poolConfig(pool), null, 2)}\n` },
  };
}

/** Config sections that belong to one service; every other section is shared by all. */
const OWN_SECTIONS = ['jobmaker', 'blockmaker', 'shareprocessor', 'stratum'] as const;

/**
 * Put on a service's pod template so its pods roll when the configuration it reads changes:
 * the shared sections and its own, not another service's (a stratum setting rolls only stratum).
 */
export function configHash(pool: MiningPool, component: string): string {
  const config = poolConfig(pool);
  const relevant = Object.fromEntries(
    Object.entries(config).filter(
      ([k]) => !(OWN_SECTIONS as readonly string[]).includes(k) || k === component,
    ),
  );
  return sha256(stableJson(relevant)).slice(0, 16);
}

export type EnvVar = { name: string; value?: string; valueFrom?: Record<string, unknown> };

/** Environment shared by every pool container. */
export function commonEnv(pool: MiningPool): EnvVar[] {
  const { spec } = pool;
  const env: EnvVar[] = [
    { name: 'EAGLEPOOL_CONFIG', value: CONFIG_FILE },
    { name: 'EAGLEPOOL_INSTANCE_ID', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } },
  ];
  const fromSecret = (name: string, ref: SecretKeyRef | undefined) => {
    if (ref) env.push({ name, valueFrom: { secretKeyRef: { name: ref.name, key: ref.key } } });
  };
  const kafka = spec.kafka.external;
  fromSecret('EAGLEPOOL_KAFKA_BROKERS', kafka?.brokersSecretRef);
  fromSecret('EAGLEPOOL_KAFKA_SASL_USERNAME', kafka?.authentication?.usernameSecretRef);
  fromSecret('EAGLEPOOL_KAFKA_SASL_PASSWORD', kafka?.authentication?.passwordSecretRef);
  const redis = spec.redis.external;
  fromSecret('EAGLEPOOL_REDIS_URL', redis?.urlSecretRef);
  fromSecret('EAGLEPOOL_REDIS_USERNAME', redis?.auth?.usernameSecretRef);
  fromSecret(
    'EAGLEPOOL_REDIS_PASSWORD',
    redis
      ? redis.auth?.passwordSecretRef
      : { name: redisAuthSecretName(pool), key: REDIS_AUTH_KEYS.password },
  );
  return env;
}
