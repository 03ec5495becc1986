/**
 * The one Eaglepool configuration: every key, its type, default and documentation.
 * docs/services.md's config reference lists the same keys (the config test checks it).
 */
import { hostname } from 'node:os';
import {
  bool,
  int,
  listen,
  num,
  oneOf,
  optInt,
  optStr,
  optUrl,
  str,
  strList,
  url,
  type Field,
} from './fields.js';

export const configSchema = {
  logLevel: oneOf({
    values: ['debug', 'info', 'warn', 'error'],
    default: 'info',
    doc: 'Minimum level of JSON log lines.',
  }),
  instanceId: str({
    default: hostname(),
    doc: 'Name of this process (pod name): lease holder id, Kafka client id suffix, log field.',
  }),
  healthHost: str({
    default: '0.0.0.0',
    doc: 'Address every service binds /metrics, /healthz, /readyz to (its <service>.healthPort), e.g. 127.0.0.1 or a pod IP.',
  }),
  ckb: {
    rpcUrl: url({
      protocols: ['http', 'https'],
      default: 'http://127.0.0.1:8114',
      doc: 'CKB node JSON-RPC URL.',
    }),
    subscribeUrl: optUrl({
      protocols: ['tcp'],
      doc: 'CKB node TCP subscription endpoint (`[rpc] tcp_listen_address`), e.g. tcp://127.0.0.1:18114. When set the job maker follows `new_tip_header` pushes and polls only as a fallback.',
    }),
    pollIntervalMs: int({ default: 1000, min: 50, max: 60_000, doc: 'get_block_template polling interval.' }),
    timeoutMs: int({ default: 5000, min: 100, max: 120_000, doc: 'Timeout of one node RPC call.' }),
  },
  redis: {
    url: optUrl({
      protocols: ['redis', 'rediss'],
      doc: 'Redis URL. Unset: in-memory store (only valid when every service runs in one process, `pool dev`).',
    }),
    keyPrefix: str({
      default: 'eaglepool:',
      doc: 'Prefix of every Redis key (several pools can share a Redis).',
    }),
    username: optStr({ doc: 'Redis ACL user (Redis 6+); unset: the default user.' }),
    password: optStr({
      doc: 'Redis AUTH password (from a Secret: EAGLEPOOL_REDIS_PASSWORD); overrides one in the URL.',
    }),
    tls: bool({ default: false, doc: 'Connect over TLS (also implied by a rediss:// URL).' }),
    tlsCaFile: optStr({
      doc: 'PEM file of the CA(s) to trust for the Redis TLS certificate, instead of the system CAs.',
    }),
  },
  kafka: {
    brokers: strList({
      doc: 'Kafka bootstrap brokers, host:port, comma-separated in env/flags. Empty: in-memory bus (single process only).',
    }),
    clientId: str({ default: 'eaglepool', doc: 'Kafka client id prefix (instanceId is appended).' }),
    topicPrefix: str({
      default: 'eaglepool',
      doc: 'Topic names are <prefix>.jobs, .shares, .block-candidates, .blocks.',
    }),
    partitions: int({
      default: -1,
      min: -1,
      max: 10_000,
      doc: 'Partitions of created topics; -1 = broker default.',
    }),
    replicationFactor: int({
      default: -1,
      min: -1,
      max: 100,
      doc: 'Replication factor of created topics; -1 = broker default.',
    }),
    lingerMs: int({
      default: 5,
      min: 0,
      max: 1000,
      doc: 'Producer batching: wait at most this long to fill a batch.',
    }),
    batchMax: int({
      default: 500,
      min: 1,
      max: 100_000,
      doc: 'Producer batching: send once this many messages are queued.',
    }),
    publishTimeoutMs: int({
      default: 10_000,
      min: 100,
      max: 600_000,
      doc: 'A share (or any record) not acknowledged by Kafka within this is refused: the miner gets share-not-logged, never a silent wait. Readiness is false once writes wait half of it.',
    }),
    maxQueuedBytes: int({
      default: 64 * 1024 * 1024,
      min: 65_536,
      max: 4 * 1024 * 1024 * 1024,
      doc: 'Bytes of records waiting for Kafka at most; past it new records are refused at once (share-not-logged).',
    }),
    maxRequestBytes: int({
      default: 1_000_000,
      min: 16_384,
      max: 100 * 1024 * 1024,
      doc: "Bytes per produce request at most (lowered to 90% of the topics' max.message.bytes at start): a backlog drains in requests the broker accepts.",
    }),
    tls: bool({ default: false, doc: 'Connect to the brokers over TLS.' }),
    tlsCaFile: optStr({
      doc: 'PEM file of the CA(s) to trust for the broker certificates, instead of the system CAs.',
    }),
    saslMechanism: oneOf({
      values: ['none', 'plain', 'scram-sha-256', 'scram-sha-512'],
      default: 'none',
      doc: 'SASL authentication (MSK, Confluent Cloud: plain or scram over TLS); needs saslUsername and saslPassword.',
    }),
    saslUsername: optStr({ doc: 'SASL user name (from a Secret: EAGLEPOOL_KAFKA_SASL_USERNAME).' }),
    saslPassword: optStr({ doc: 'SASL password (from a Secret: EAGLEPOOL_KAFKA_SASL_PASSWORD).' }),
  },
  services: {
    jobmakerUrl: str({
      default: '127.0.0.1:50051',
      doc: 'gRPC address (host:port) of the job maker, used by stratum replicas.',
    }),
    blockmakerUrl: str({
      default: '127.0.0.1:50052',
      doc: 'gRPC address (host:port) of the block maker, used by stratum replicas.',
    }),
    tlsCaFile: optStr({
      doc: 'PEM file of the CA of the services’ certificates (mutual TLS on every gRPC call between services; with tlsCertFile and tlsKeyFile, e.g. a kubernetes.io/tls Secret with ca.crt). Unset: plaintext gRPC.',
    }),
    tlsCertFile: optStr({
      doc: 'PEM certificate this service presents, as server and as client (signed by tlsCaFile; its SANs must name the address clients dial, or set tlsServerName).',
    }),
    tlsKeyFile: optStr({ doc: 'PEM private key of tlsCertFile.' }),
    tlsServerName: optStr({
      doc: 'Name the servers’ certificates are checked against instead of the host of services.jobmakerUrl/blockmakerUrl (one certificate for all services).',
    }),
    tokenFile: optStr({
      doc: 'File holding the shared token every gRPC call between services must carry (a Secret mounted as a file; at least 32 characters). Unset: gRPC unauthenticated (development only; a warning is logged).',
    }),
  },
  jobmaker: {
    grpcListen: listen({ default: '0.0.0.0:50051', doc: 'gRPC JobStream listen address.' }),
    healthPort: int({
      default: 9101,
      min: 0,
      max: 65535,
      doc: 'Port of /metrics, /healthz, /readyz (0 = any).',
    }),
    templateTtlMs: int({
      default: 600_000,
      min: 1000,
      max: 86_400_000,
      doc: 'How long a template stays in the cache for the block maker.',
    }),
    leaseTtlMs: int({
      default: 10_000,
      min: 1000,
      max: 600_000,
      doc: 'Leader lease TTL (Redis lock); renewed every TTL/3.',
    }),
    refreshMs: int({
      default: 5000,
      min: 0,
      max: 600_000,
      doc: 'A template with new transactions (same parent) becomes a new job only when the current job is this old.',
    }),
    maxNodeLagBlocks: int({
      default: 10,
      min: 0,
      max: 1_000_000,
      doc: 'No jobs while the node is in initial block download or its tip is more blocks than this behind the best block its peers announced (sync_state).',
    }),
    syncCheckMs: int({
      default: 5000,
      min: 100,
      max: 600_000,
      doc: 'How often the job maker asks the node for its sync state.',
    }),
  },
  blockmaker: {
    grpcListen: listen({ default: '0.0.0.0:50052', doc: 'gRPC BlockMaker listen address.' }),
    healthPort: int({
      default: 9102,
      min: 0,
      max: 65535,
      doc: 'Port of /metrics, /healthz, /readyz (0 = any).',
    }),
    retryIntervalMs: int({ default: 500, min: 10, max: 60_000, doc: 'Delay between submit_block retries.' }),
    submitDeadlineMs: int({
      default: 120_000,
      min: 100,
      max: 3_600_000,
      doc: 'Give up retrying a block after this long.',
    }),
  },
  shareprocessor: {
    httpListen: listen({ default: '0.0.0.0:8080', doc: 'HTTP JSON API listen address.' }),
    healthPort: int({
      default: 9103,
      min: 0,
      max: 65535,
      doc: 'Port of /metrics, /healthz, /readyz (0 = any).',
    }),
    groupId: optStr({
      doc: 'Kafka consumer group of the share processor (default <kafka.topicPrefix>-shareprocessor).',
    }),
    pplnsFactor: num({
      default: 2,
      min: 0.01,
      doc: 'PPLNS window N = factor x network difficulty (summed share difficulty).',
    }),
    pplnsMinWindow: num({
      default: 1e6,
      min: 1,
      doc: 'PPLNS window when the network difficulty is not known yet.',
    }),
    hashrateWindowSec: int({
      default: 600,
      min: 60,
      max: 86_400,
      doc: 'Hashrate averaging window (1-minute buckets).',
    }),
  },
  dashboard: {
    enabled: bool({
      default: true,
      doc: "Serve the miners' web dashboard (/, /miner/ADDRESS) and the live event stream on the share processor's HTTP API.",
    }),
    poolName: str({ default: 'Eaglepool', doc: 'Pool name shown on the dashboard.' }),
    stratumUrls: strList({
      doc: 'Public stratum URLs shown to miners (comma-separated, e.g. stratum+tcp://pool.example:34255).',
    }),
    authorityPublicKey: optStr({
      doc: "The pool's Noise authority public key (base58check) shown to miners, to paste into their miner.",
    }),
  },
  payouts: {
    network: oneOf({
      values: ['mainnet', 'testnet'],
      default: 'mainnet',
      doc: 'CKB network of miner and pool addresses: mainnet (ckb1...) or testnet/dev chains (ckt1...).',
    }),
    requireAddress: bool({
      default: false,
      doc: 'Stratum replicas refuse a channel whose user name (address.worker) does not start with a CKB address of payouts.network.',
    }),
    keyFile: optStr({
      doc: 'File holding the pool wallet secp256k1 private key (0x + 64 hex), e.g. a mounted Kubernetes Secret. Never logged.',
    }),
    feeAddress: optStr({
      doc: 'CKB address credited with the pool fee (and paying payout transaction fees).',
    }),
    feeBps: int({ default: 0, min: 0, max: 10_000, doc: 'Pool fee in basis points of each block reward.' }),
    thresholdShannons: int({
      default: 100_00000000,
      min: 0,
      max: Number.MAX_SAFE_INTEGER,
      doc: 'Pay a user once their matured balance reaches this (and the recipient lock occupied capacity).',
    }),
    feeRate: int({
      default: 1000,
      min: 1000,
      max: 10_000_000,
      doc: 'Payout transaction fee rate, shannons per 1000 bytes (ckb tx_pool.min_fee_rate is 1000).',
    }),
    maxOutputs: int({ default: 100, min: 1, max: 1000, doc: 'Most recipients in one payout transaction.' }),
    intervalMs: int({
      default: 10_000,
      min: 100,
      max: 3_600_000,
      doc: 'How often the payouts service follows found blocks and drives payouts.',
    }),
    orphanDepth: int({
      default: 24,
      min: 1,
      max: 10_000,
      doc: 'Blocks after which a found block off the main chain (not an uncle) is orphaned.',
    }),
    shareLatenessMs: int({
      default: 30_000,
      min: 0,
      max: 3_600_000,
      doc: 'A block is allocated once the share log has shares this much newer than its block share (or was quiet this long).',
    }),
    leaseTtlMs: int({ default: 15_000, min: 1000, max: 600_000, doc: 'Leader lease TTL (Redis lock).' }),
    healthPort: int({
      default: 9104,
      min: 0,
      max: 65535,
      doc: 'Port of /metrics, /healthz, /readyz (0 = any).',
    }),
  },
  stratum: {
    listen: listen({ default: '0.0.0.0:34255', doc: 'SV2 stratum listen address.' }),
    healthPort: int({
      default: 9100,
      min: 0,
      max: 65535,
      doc: 'Port of /metrics, /healthz, /readyz (0 = any).',
    }),
    replicaId: optInt({
      min: 0,
      max: 255,
      doc: 'Fixed replica id (e.g. StatefulSet pod ordinal). Unset: leased from Redis (or 0 in-memory).',
    }),
    replicaLeaseTtlMs: int({
      default: 15_000,
      min: 1000,
      max: 600_000,
      doc: 'Replica id lease TTL; renewed every TTL/3.',
    }),
    maxReplicas: int({
      default: 256,
      min: 1,
      max: 256,
      doc: 'Replica ids are 0..maxReplicas-1 (first extranonce byte).',
    }),
    maxConnectionsPerIp: int({
      default: 5000,
      min: 1,
      max: 1_000_000,
      doc: 'Open miner connections per source IP. A farm behind one NAT shares one IP; with externalTrafficPolicy Cluster every miner arrives from a node IP (use Local).',
    }),
    maxConnections: int({
      default: 50_000,
      min: 1,
      max: 1_000_000,
      doc: 'Open miner connections per replica in total.',
    }),
    minDifficulty: int({
      default: 1024,
      min: 1,
      max: Number.MAX_SAFE_INTEGER,
      doc: 'Lowest share difficulty vardiff assigns (expected hashes per share).',
    }),
    ackWindowMs: int({
      default: 0,
      min: 0,
      max: 60_000,
      doc: 'Longest wait of a partial SubmitShares.Success batch for more shares (docs/stratum.md). 0: end of the read turn.',
    }),
  },
} as const;

type Infer<S> = { [K in keyof S]: S[K] extends Field<infer T> ? T : Infer<S[K]> };

/** The validated configuration every service receives. */
export type PoolConfig = Infer<typeof configSchema>;
