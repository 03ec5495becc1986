/** The managed backing services: CKB node, Kafka (KRaft) and Redis, each a one-replica StatefulSet. */
import type { MiningPool, Network, ResourceRequirements, StorageSpec } from '../api/types.js';
import {
  CKB_P2P_PORT,
  CKB_RPC_PORT,
  CKB_SUBSCRIBE_PORT,
  KAFKA_CONTROLLER_PORT,
  KAFKA_PORT,
  REDIS_PORT,
  serviceHost,
} from './config.js';
import {
  CONFIG_HASH_ANNOTATION,
  childMeta,
  childName,
  compact,
  labels,
  selectorLabels,
  sha256,
  type K8sObject,
} from './meta.js';
import { REDIS_AUTH_KEYS, redisAuthSecretName } from './redis-auth.js';
import { kafkaHeapOpts, redisMaxmemory, resourcesOf } from './sizing.js';

interface StatefulParts {
  component: 'ckb' | 'kafka' | 'redis';
  image: string;
  storage: StorageSpec;
  dataPath: string;
  resources?: ResourceRequirements;
  ports: { name: string; containerPort: number }[];
  container: Record<string, unknown>;
  initContainers?: unknown[];
  extraVolumes?: unknown[];
  extraMounts?: unknown[];
  podAnnotations?: Record<string, string>;
  runAsUser: number;
}

/** PVC names are `data-<statefulset>-<ordinal>`; the finalizer finds them by these labels. */
export const DATA_VOLUME = 'data';

function statefulSet(pool: MiningPool, p: StatefulParts): K8sObject {
  const name = childName(pool, p.component);
  return compact({
    apiVersion: 'apps/v1',
    kind: 'StatefulSet',
    metadata: childMeta(pool, p.component),
    spec: {
      replicas: 1,
      // The governing Service must be headless (per-pod DNS); Redis has a ClusterIP one besides.
      serviceName: p.component === 'redis' ? `${name}-headless` : name,
      selector: { matchLabels: selectorLabels(pool, p.component) },
      persistentVolumeClaimRetentionPolicy: {
        whenDeleted: pool.spec.pvcRetentionPolicy,
        whenScaled: 'Retain',
      },
      template: {
        metadata: { labels: labels(pool, p.component), annotations: p.podAnnotations },
        spec: {
          automountServiceAccountToken: false,
          enableServiceLinks: false,
          securityContext: {
            runAsNonRoot: true,
            runAsUser: p.runAsUser,
            runAsGroup: p.runAsUser,
            fsGroup: p.runAsUser,
            seccompProfile: { type: 'RuntimeDefault' },
          },
          initContainers: p.initContainers,
          containers: [
            {
              name: p.component,
              image: p.image,
              ports: p.ports.map((port) => ({ ...port, protocol: 'TCP' })),
              resources: p.resources,
              securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } },
              ...p.container,
              volumeMounts: [{ name: DATA_VOLUME, mountPath: p.dataPath }, ...(p.extraMounts ?? [])],
            },
          ],
          volumes: p.extraVolumes,
        },
      },
      volumeClaimTemplates: [
        {
          metadata: { name: DATA_VOLUME, labels: selectorLabels(pool, p.component) },
          spec: {
            accessModes: ['ReadWriteOnce'],
            storageClassName: p.storage.storageClassName,
            resources: { requests: { storage: p.storage.size } },
          },
        },
      ],
    },
  });
}

function headlessService(
  pool: MiningPool,
  component: 'ckb' | 'kafka' | 'redis',
  ports: { name: string; port: number }[],
): K8sObject {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: childMeta(pool, component),
    spec: {
      clusterIP: 'None',
      // Kafka advertises per-pod DNS names before the pod is ready (KRaft bootstrap).
      publishNotReadyAddresses: component === 'kafka',
      selector: selectorLabels(pool, component),
      ports: ports.map((p) => ({ ...p, targetPort: p.name, protocol: 'TCP' })),
    },
  };
}

// ---------------------------------------------------------------- CKB node

/** A few bootnodes per network (nervosnetwork/ckb resource/ckb.toml); spec.ckb.managed.bootnodes overrides. */
export const DEFAULT_BOOTNODES: Record<Network, string[]> = {
  mainnet: [
    '/ip4/47.110.15.57/tcp/8114/p2p/QmXS4Kbc9HEeykHUTJCm2tNmqghbvWyYpUp6BtE5b6VrAU',
    '/ip4/47.245.31.79/tcp/8114/p2p/QmUaSuEdXNGJEKvkE4rCn3cwBrpRFUm5TsouF4M3Sjursv',
    '/ip4/3.218.170.86/tcp/8114/p2p/QmShw2vtVt49wJagc1zGQXGS6LkQTcHxnEV3xs6y8MAmQN',
    '/ip4/52.59.155.249/tcp/8114/p2p/QmRHqhSGMGm5FtnkW8D6T83X7YwaiMAZXCXJJaKzQEo3rb',
  ],
  testnet: [
    '/ip4/47.111.169.36/tcp/8111/p2p/QmNQ4jky6uVqLDrPU7snqxARuNGWNLgSrTnssbRuy3ij2W',
    '/ip4/18.217.146.65/tcp/8111/p2p/QmT6DFfm18wtbJz3y4aPNn3ac86N4d4p4xtfQRRPf73frC',
    '/ip4/18.136.60.221/tcp/8111/p2p/QmTt6HeNakL8Fpmevrhdna7J4NzEMf9pLchf1CXtmtSrwb',
    '/ip4/35.176.207.239/tcp/8111/p2p/QmSJTsMsMGBjzv1oBNwQU36VhQRxc2WQpFoRu1ZifYKrjZ',
  ],
  devnet: [],
};

const CKB_DATA = '/var/lib/ckb';
const tomlString = (s: string): string => JSON.stringify(s);

/** ckb.toml for the managed node, with [block_assembler] paying to spec.payout. */
export function ckbToml(pool: MiningPool): string {
  const { spec } = pool;
  const bootnodes = spec.ckb.managed?.bootnodes ?? DEFAULT_BOOTNODES[spec.network];
  const chainSpec =
    spec.network === 'devnet' ? '{ file = "specs/dev.toml" }' : `{ bundled = "specs/${spec.network}.toml" }`;
  const modules = ['Net', 'Pool', 'Miner', 'Chain', 'Stats', 'Subscription', 'Experiment'];
  return [
    `# Rendered by the Eaglepool operator for MiningPool ${pool.metadata.namespace}/${pool.metadata.name}.`,
    'data_dir = "data"',
    '',
    '[chain]',
    `spec = ${chainSpec}`,
    '',
    '[logger]',
    'filter = "info"',
    'color = false',
    'log_to_file = false',
    'log_to_stdout = true',
    '',
    '[db]',
    'cache_size = 134217728',
    '',
    '[network]',
    `listen_addresses = ["/ip4/0.0.0.0/tcp/${CKB_P2P_PORT}"]`,
    `bootnodes = [${bootnodes.map(tomlString).join(', ')}]`,
    'max_peers = 125',
    'max_outbound_peers = 8',
    'ping_interval_secs = 120',
    'ping_timeout_secs = 1200',
    'connect_outbound_interval_secs = 15',
    'upnp = false',
    `discovery_local_address = ${spec.network === 'devnet'}`,
    'bootnode_mode = false',
    '',
    '[rpc]',
    '# Reachable only from the pool: a NetworkPolicy admits the pool components.',
    `listen_address = "0.0.0.0:${CKB_RPC_PORT}"`,
    'max_request_body_size = 10485760',
    `modules = [${modules.map(tomlString).join(', ')}]`,
    '# new_tip_header pushes for the job maker (ckb.subscribeUrl).',
    `tcp_listen_address = "0.0.0.0:${CKB_SUBSCRIBE_PORT}"`,
    'reject_ill_transactions = true',
    'enable_deprecated_rpc = false',
    '',
    '[tx_pool]',
    'max_tx_pool_size = 180_000_000',
    'min_fee_rate = 1_000',
    'max_tx_verify_cycles = 70_000_000',
    'max_ancestors_count = 25',
    '',
    '[store]',
    'header_cache_size = 4096',
    'cell_data_cache_size = 128',
    'block_proposals_cache_size = 30',
    'block_tx_hashes_cache_size = 30',
    'block_uncles_cache_size = 30',
    '',
    '[block_assembler]',
    `code_hash = ${tomlString(spec.payout.codeHash)}`,
    `args = ${tomlString(spec.payout.args)}`,
    `hash_type = ${tomlString(spec.payout.hashType)}`,
    `message = ${tomlString(spec.payout.message)}`,
    '',
  ].join('\n');
}

export function ckbConfigMap(pool: MiningPool): K8sObject {
  return {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: childMeta(pool, 'ckb', `${childName(pool, 'ckb')}-config`),
    data: { 'ckb.toml': ckbToml(pool) },
  };
}

export function ckbStatefulSet(pool: MiningPool): K8sObject {
  const m = pool.spec.ckb.managed!;
  const devnet = pool.spec.network === 'devnet';
  // The devnet chain spec comes from `ckb init --chain dev`, switched from Dummy to Eaglesong PoW.
  const initDev = {
    name: 'init-devnet-spec',
    image: m.image,
    command: ['/bin/sh', '-c'],
    args: [
      `set -e; if [ ! -f ${CKB_DATA}/specs/dev.toml ]; then ckb init -C /tmp/init --chain dev --force >/dev/null; ` +
        `mkdir -p ${CKB_DATA}/specs; sed 's/func = "Dummy"/func = "Eaglesong"/' /tmp/init/specs/dev.toml > ${CKB_DATA}/specs/dev.toml; fi`,
    ],
    securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } },
    volumeMounts: [
      { name: DATA_VOLUME, mountPath: CKB_DATA },
      { name: 'tmp', mountPath: '/tmp' },
    ],
  };
  // After an image change the database may need the new version's migration; without a
  // database (first start) there is nothing to migrate. --force: no interactive prompt.
  const migrate = {
    name: 'migrate',
    image: m.image,
    command: ['/bin/sh', '-c'],
    args: [`set -e; if [ -d ${CKB_DATA}/data/db ]; then ckb migrate -C ${CKB_DATA} --force; fi`],
    securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } },
    volumeMounts: [
      { name: DATA_VOLUME, mountPath: CKB_DATA },
      { name: 'ckb-config', mountPath: `${CKB_DATA}/ckb.toml`, subPath: 'ckb.toml', readOnly: true },
      { name: 'tmp', mountPath: '/tmp' },
    ],
  };
  return statefulSet(pool, {
    component: 'ckb',
    image: m.image,
    storage: m.storage,
    dataPath: CKB_DATA,
    resources: resourcesOf(pool, 'ckb', m.resources),
    runAsUser: 1000, // the `ckb` user of nervos/ckb images
    ports: [
      { name: 'rpc', containerPort: CKB_RPC_PORT },
      { name: 'subscribe', containerPort: CKB_SUBSCRIBE_PORT },
      { name: 'p2p', containerPort: CKB_P2P_PORT },
    ],
    podAnnotations: { [CONFIG_HASH_ANNOTATION]: sha256(ckbToml(pool)).slice(0, 16) },
    initContainers: devnet ? [initDev, migrate] : [migrate],
    container: {
      command: ['/bin/ckb'],
      args: ['run', '-C', CKB_DATA],
      // A mainnet node may take many minutes to open its database: up to an hour before liveness counts.
      startupProbe: { tcpSocket: { port: 'rpc' }, periodSeconds: 10, failureThreshold: 360 },
      readinessProbe: { tcpSocket: { port: 'rpc' }, periodSeconds: 10 },
      livenessProbe: { tcpSocket: { port: 'rpc' }, periodSeconds: 20, failureThreshold: 3 },
    },
    extraVolumes: [
      { name: 'ckb-config', configMap: { name: `${childName(pool, 'ckb')}-config` } },
      { name: 'tmp', emptyDir: {} },
    ],
    extraMounts: [
      // ckb reads <dir>/ckb.toml; the hash annotation restarts the pod when it changes.
      { name: 'ckb-config', mountPath: `${CKB_DATA}/ckb.toml`, subPath: 'ckb.toml', readOnly: true },
      { name: 'tmp', mountPath: '/tmp' },
    ],
  });
}

export const ckbService = (pool: MiningPool): K8sObject =>
  headlessService(pool, 'ckb', [
    { name: 'rpc', port: CKB_RPC_PORT },
    { name: 'subscribe', port: CKB_SUBSCRIBE_PORT },
    { name: 'p2p', port: CKB_P2P_PORT },
  ]);

// ---------------------------------------------------------------- Kafka (KRaft, combined broker+controller)

/** Stable KRaft cluster id derived from the pool uid (22 chars of base64url, as `kafka-storage random-uuid`). */
export const kafkaClusterId = (pool: MiningPool): string =>
  Buffer.from(sha256(pool.metadata.uid).slice(0, 32), 'hex').toString('base64url');

export function kafkaStatefulSet(pool: MiningPool): K8sObject {
  const m = pool.spec.kafka.managed!;
  const resources = resourcesOf(pool, 'kafka', m.resources);
  const host = serviceHost(pool, 'kafka');
  const pod = `${childName(pool, 'kafka')}-0`;
  const env = {
    KAFKA_NODE_ID: '0',
    KAFKA_PROCESS_ROLES: 'broker,controller',
    KAFKA_LISTENERS: `PLAINTEXT://:${KAFKA_PORT},CONTROLLER://:${KAFKA_CONTROLLER_PORT}`,
    KAFKA_ADVERTISED_LISTENERS: `PLAINTEXT://${pod}.${host}:${KAFKA_PORT}`,
    KAFKA_CONTROLLER_LISTENER_NAMES: 'CONTROLLER',
    KAFKA_LISTENER_SECURITY_PROTOCOL_MAP: 'CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT',
    KAFKA_CONTROLLER_QUORUM_VOTERS: `0@${pod}.${host}:${KAFKA_CONTROLLER_PORT}`,
    KAFKA_INTER_BROKER_LISTENER_NAME: 'PLAINTEXT',
    KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR: '1',
    KAFKA_TRANSACTION_STATE_LOG_REPLICATION_FACTOR: '1',
    KAFKA_TRANSACTION_STATE_LOG_MIN_ISR: '1',
    KAFKA_NUM_PARTITIONS: String(m.partitions),
    KAFKA_AUTO_CREATE_TOPICS_ENABLE: 'false',
    KAFKA_LOG_DIRS: '/var/lib/kafka/data/logs',
    CLUSTER_ID: kafkaClusterId(pool),
    KAFKA_HEAP_OPTS: kafkaHeapOpts(resources),
  };
  return statefulSet(pool, {
    component: 'kafka',
    image: m.image,
    storage: m.storage,
    dataPath: '/var/lib/kafka/data',
    resources,
    runAsUser: 1000, // `appuser` of apache/kafka images
    ports: [
      { name: 'kafka', containerPort: KAFKA_PORT },
      { name: 'controller', containerPort: KAFKA_CONTROLLER_PORT },
    ],
    container: {
      env: Object.entries(env).map(([name, value]) => ({ name, value })),
      readinessProbe: { tcpSocket: { port: 'kafka' }, periodSeconds: 10 },
      livenessProbe: { tcpSocket: { port: 'kafka' }, initialDelaySeconds: 60, periodSeconds: 20 },
    },
  });
}

export const kafkaService = (pool: MiningPool): K8sObject =>
  headlessService(pool, 'kafka', [
    { name: 'kafka', port: KAFKA_PORT },
    { name: 'controller', port: KAFKA_CONTROLLER_PORT },
  ]);

// ---------------------------------------------------------------- Redis

const REDIS_AUTH_DIR = '/etc/redis/auth';

export function redisStatefulSet(pool: MiningPool): K8sObject {
  const m = pool.spec.redis.managed!;
  const resources = resourcesOf(pool, 'redis', m.resources);
  const maxmemory = redisMaxmemory(resources);
  return statefulSet(pool, {
    component: 'redis',
    image: m.image,
    storage: m.storage,
    dataPath: '/data',
    resources,
    runAsUser: 999, // `redis` user of the official image
    ports: [{ name: 'redis', containerPort: REDIS_PORT }],
    container: {
      // The ACL file requires the generated password of the default user (render/redis-auth.ts).
      args: [
        '--appendonly',
        'yes',
        '--dir',
        '/data',
        '--aclfile',
        `${REDIS_AUTH_DIR}/${REDIS_AUTH_KEYS.aclFile}`,
        // noeviction: a full Redis fails writes loudly instead of dropping leases or accounting.
        ...(maxmemory ? ['--maxmemory', maxmemory, '--maxmemory-policy', 'noeviction'] : []),
      ],
      env: [
        {
          // redis-cli reads the password from here (no -a on the probe's command line).
          name: 'REDISCLI_AUTH',
          valueFrom: { secretKeyRef: { name: redisAuthSecretName(pool), key: REDIS_AUTH_KEYS.password } },
        },
      ],
      readinessProbe: { exec: { command: ['redis-cli', 'ping'] }, periodSeconds: 10, timeoutSeconds: 5 },
      livenessProbe: { tcpSocket: { port: 'redis' }, initialDelaySeconds: 20, periodSeconds: 20 },
    },
    extraVolumes: [
      {
        name: 'auth',
        secret: {
          secretName: redisAuthSecretName(pool),
          items: [{ key: REDIS_AUTH_KEYS.aclFile, path: REDIS_AUTH_KEYS.aclFile }],
          defaultMode: 0o440,
        },
      },
    ],
    extraMounts: [{ name: 'auth', mountPath: REDIS_AUTH_DIR, readOnly: true }],
  });
}

/** The StatefulSet's governing Service (the ClusterIP one cannot become headless in place). */
export function redisHeadlessService(pool: MiningPool): K8sObject {
  const svc = headlessService(pool, 'redis', [{ name: 'redis', port: REDIS_PORT }]);
  return { ...svc, metadata: { ...svc.metadata, name: `${childName(pool, 'redis')}-headless` } };
}

export function redisService(pool: MiningPool): K8sObject {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: childMeta(pool, 'redis'),
    spec: {
      type: 'ClusterIP',
      selector: selectorLabels(pool, 'redis'),
      ports: [{ name: 'redis', port: REDIS_PORT, targetPort: 'redis', protocol: 'TCP' }],
    },
  };
}
