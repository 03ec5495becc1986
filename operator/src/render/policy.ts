/** NetworkPolicies that keep Kafka, Redis and the CKB RPC private to the pool's own pods. */
import type { MiningPool } from '../api/types.js';
import {
  CKB_P2P_PORT,
  CKB_RPC_PORT,
  CKB_SUBSCRIBE_PORT,
  KAFKA_CONTROLLER_PORT,
  KAFKA_PORT,
  REDIS_PORT,
} from './config.js';
import { childMeta, selectorLabels, type K8sObject } from './meta.js';

const poolPods = (pool: MiningPool) => ({
  podSelector: {
    matchLabels: { 'app.kubernetes.io/instance': pool.metadata.name, 'app.kubernetes.io/name': 'eaglepool' },
  },
});

function ingressPolicy(
  pool: MiningPool,
  component: 'kafka' | 'redis' | 'ckb',
  privatePorts: number[],
  publicPorts: number[] = [],
): K8sObject {
  const ingress: unknown[] = [
    { from: [poolPods(pool)], ports: privatePorts.map((port) => ({ protocol: 'TCP', port })) },
  ];
  // P2P must stay open to the world or the node cannot sync.
  if (publicPorts.length > 0) ingress.push({ ports: publicPorts.map((port) => ({ protocol: 'TCP', port })) });
  return {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'NetworkPolicy',
    metadata: childMeta(pool, component),
    spec: {
      podSelector: { matchLabels: selectorLabels(pool, component) },
      policyTypes: ['Ingress'],
      ingress,
    },
  };
}

export const kafkaPolicy = (pool: MiningPool): K8sObject =>
  ingressPolicy(pool, 'kafka', [KAFKA_PORT, KAFKA_CONTROLLER_PORT]);
export const redisPolicy = (pool: MiningPool): K8sObject => ingressPolicy(pool, 'redis', [REDIS_PORT]);
export const ckbPolicy = (pool: MiningPool): K8sObject =>
  ingressPolicy(pool, 'ckb', [CKB_RPC_PORT, CKB_SUBSCRIBE_PORT], [CKB_P2P_PORT]);
