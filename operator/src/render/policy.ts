/**
 * NetworkPolicies: every pool pod admits exactly the flows of the pool (docs/operator.md
 * "Network policies" names each). Ingress only; egress is not restricted (pods reach DNS, the
 * node's P2P peers, an external Kafka/Redis). In a default-deny namespace these are what admit
 * miners, the operator's status probes and metrics scraping.
 */
import type { MiningPool } from '../api/types.js';
import {
  BLOCKMAKER_GRPC_PORT,
  CKB_P2P_PORT,
  CKB_RPC_PORT,
  CKB_SUBSCRIBE_PORT,
  JOBMAKER_GRPC_PORT,
  KAFKA_CONTROLLER_PORT,
  KAFKA_PORT,
  METRICS_PORT,
  REDIS_PORT,
  SHAREPROCESSOR_HTTP_PORT,
} from './config.js';
import { childMeta, selectorLabels, type Component, type K8sObject } from './meta.js';

type Peer = Record<string, unknown>;
interface Rule {
  /** Undefined: from anywhere (miners on the internet, the node's P2P peers). */
  from?: Peer[];
  ports: number[];
}

/** Every pod of this pool (the services are clients of each other and of Kafka/Redis/the node). */
const poolPods = (pool: MiningPool): Peer => ({
  podSelector: {
    matchLabels: { 'app.kubernetes.io/instance': pool.metadata.name, 'app.kubernetes.io/name': 'eaglepool' },
  },
});
const component = (pool: MiningPool, c: Component): Peer => ({
  podSelector: { matchLabels: selectorLabels(pool, c) },
});
/** The operator (chart label app.kubernetes.io/name=eaglepool-operator) in any namespace. */
const operatorPods: Peer = {
  namespaceSelector: {},
  podSelector: { matchLabels: { 'app.kubernetes.io/name': 'eaglepool-operator' } },
};

/** Prometheus: from spec.monitoring.scrapeNamespaces, or any namespace when empty. */
function scrapers(pool: MiningPool): Peer[] {
  const names = pool.spec.monitoring.scrapeNamespaces ?? [];
  return names.length === 0
    ? [{ namespaceSelector: {} }]
    : names.map((n) => ({ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': n } } }));
}

function policy(pool: MiningPool, c: Component, rules: Rule[]): K8sObject {
  return {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'NetworkPolicy',
    metadata: childMeta(pool, c),
    spec: {
      podSelector: { matchLabels: selectorLabels(pool, c) },
      policyTypes: ['Ingress'],
      ingress: rules.map((r) => ({
        ...(r.from ? { from: r.from } : {}),
        ports: r.ports.map((port) => ({ protocol: 'TCP', port })),
      })),
    },
  };
}

const metrics = (pool: MiningPool): Rule => ({ from: scrapers(pool), ports: [METRICS_PORT] });

export const ckbPolicy = (pool: MiningPool): K8sObject =>
  policy(pool, 'ckb', [
    // RPC and tip subscription: the pool's services and the operator's sync probe (NodeSynced).
    { from: [poolPods(pool), operatorPods], ports: [CKB_RPC_PORT, CKB_SUBSCRIBE_PORT] },
    // Inbound P2P serves other nodes; outbound connections alone suffice for this node to sync.
    { ports: [CKB_P2P_PORT] },
  ]);

export const kafkaPolicy = (pool: MiningPool): K8sObject =>
  policy(pool, 'kafka', [
    { from: [poolPods(pool)], ports: [KAFKA_PORT] },
    // KRaft controller: the broker itself (single node).
    { from: [component(pool, 'kafka')], ports: [KAFKA_CONTROLLER_PORT] },
  ]);

export const redisPolicy = (pool: MiningPool): K8sObject =>
  policy(pool, 'redis', [{ from: [poolPods(pool)], ports: [REDIS_PORT] }]);

export const jobmakerPolicy = (pool: MiningPool): K8sObject =>
  policy(pool, 'jobmaker', [
    { from: [component(pool, 'stratum')], ports: [JOBMAKER_GRPC_PORT] },
    // The operator reads TemplateFresh/ShareLogWritable/StoreReachable from /metrics.
    { from: [operatorPods, ...scrapers(pool)], ports: [METRICS_PORT] },
  ]);

export const blockmakerPolicy = (pool: MiningPool): K8sObject =>
  policy(pool, 'blockmaker', [
    { from: [component(pool, 'stratum')], ports: [BLOCKMAKER_GRPC_PORT] },
    metrics(pool),
  ]);

export const shareprocessorPolicy = (pool: MiningPool): K8sObject =>
  policy(pool, 'shareprocessor', [
    // The HTTP API: the pool's pods and the operator's stats fetch (Height, Hashrate); publish it to
    // users through an Ingress with a policy of your own that admits the ingress controller.
    { from: [poolPods(pool), operatorPods], ports: [SHAREPROCESSOR_HTTP_PORT] },
    metrics(pool),
  ]);

export const stratumPolicy = (pool: MiningPool): K8sObject =>
  policy(pool, 'stratum', [
    // Miners from anywhere (through the LoadBalancer/NodePort Service), and the translator.
    { ports: [pool.spec.stratum.port] },
    metrics(pool),
  ]);

export const translatorPolicy = (pool: MiningPool): K8sObject =>
  policy(pool, 'translator', [
    { ports: [pool.spec.translator.port, ...(pool.spec.translator.ports ?? []).map((p) => p.port)] },
    metrics(pool),
  ]);
