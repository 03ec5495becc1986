/**
 * MiningPool v1alpha1 as TypeScript types. The OpenAPI schema in `schema.ts` is the source of
 * truth for validation and defaults; these types describe a pool after defaulting
 * (`withDefaults`), which is what the renderers receive.
 */

export const GROUP = 'mining.eaglepool.dev';
export const VERSION = 'v1alpha1';
export const API_VERSION = `${GROUP}/${VERSION}`;
export const KIND = 'MiningPool';
export const PLURAL = 'miningpools';

export type Network = 'mainnet' | 'testnet' | 'devnet';
export type PvcRetentionPolicy = 'Retain' | 'Delete';
export type ServiceType = 'ClusterIP' | 'NodePort' | 'LoadBalancer';

export interface ResourceRequirements {
  requests?: Record<string, string>;
  limits?: Record<string, string>;
}

export interface PayoutLock {
  codeHash: string;
  hashType: 'type' | 'data' | 'data1' | 'data2';
  args: string;
  message: string;
}

export interface StorageSpec {
  size: string;
  storageClassName?: string;
}

export interface CkbSpec {
  external?: { rpcUrl: string };
  managed?: {
    image: string;
    storage: StorageSpec;
    resources?: ResourceRequirements;
    bootnodes?: string[];
  };
}

export interface SecretKeyRef {
  name: string;
  key: string;
}

export interface TlsClientSpec {
  enabled: boolean;
  caSecretRef?: SecretKeyRef;
}

export interface KafkaSpec {
  external?: {
    brokersSecretRef: SecretKeyRef;
    tls?: TlsClientSpec;
    authentication?: {
      type: 'plain' | 'scram-sha-256' | 'scram-sha-512';
      usernameSecretRef: SecretKeyRef;
      passwordSecretRef: SecretKeyRef;
    };
  };
  managed?: { image: string; storage: StorageSpec; resources?: ResourceRequirements; partitions: number };
}

export interface RedisSpec {
  external?: {
    urlSecretRef: SecretKeyRef;
    tls?: TlsClientSpec;
    auth?: { usernameSecretRef?: SecretKeyRef; passwordSecretRef: SecretKeyRef };
  };
  managed?: { image: string; storage: StorageSpec; resources?: ResourceRequirements };
}

export interface ServiceOptions {
  type: ServiceType;
  annotations?: Record<string, string>;
  loadBalancerSourceRanges?: string[];
  externalTrafficPolicy?: 'Cluster' | 'Local';
}

export interface StratumSpec {
  replicas: number;
  port: number;
  service: ServiceOptions;
  autoscaling: {
    enabled: boolean;
    minReplicas: number;
    maxReplicas: number;
    targetCPUUtilizationPercentage: number;
  };
  vardiff: { targetShareIntervalSeconds: number; minDifficulty: number };
  /** preStop delay before the drain (Reconnect): endpoints and load balancers drop the pod first. */
  drainDelaySeconds: number;
  ackWindowMs: number;
  resources?: ResourceRequirements;
}

export interface TranslatorPort {
  name: string;
  port: number;
  dialect?: 'auto' | 'btcpool' | 'k7' | 'goldshell' | 'viabtc' | 'nerdminer';
  difficulty?: number;
}

export interface TranslatorSpec {
  enabled: boolean;
  replicas: number;
  port: number;
  /** More V1 ports: one per miner family / difficulty tier. */
  ports?: TranslatorPort[];
  service: ServiceOptions;
  resources?: ResourceRequirements;
}

export interface MiningPoolSpec {
  network: Network;
  payout: PayoutLock;
  ckb: CkbSpec;
  kafka: KafkaSpec;
  redis: RedisSpec;
  stratum: StratumSpec;
  translator: TranslatorSpec;
  images: { pool: string; pullPolicy: 'Always' | 'IfNotPresent' | 'Never' };
  resources: {
    jobmaker?: ResourceRequirements;
    blockmaker?: ResourceRequirements;
    shareprocessor?: ResourceRequirements;
  };
  monitoring: {
    serviceMonitor: { enabled: boolean; interval: string; labels?: Record<string, string> };
    scrapeNamespaces?: string[];
  };
  pvcRetentionPolicy: PvcRetentionPolicy;
}

/** metav1.Condition. */
export interface Condition {
  type: string;
  status: 'True' | 'False' | 'Unknown';
  observedGeneration: number;
  lastTransitionTime: string;
  reason: string;
  message: string;
}

/** One pool component as the status reports it. */
export interface ComponentStatus {
  name: string;
  /** "ready/desired" replicas. */
  ready: string;
  /** Why it fails (CrashLoopBackOff, ImagePullBackOff, OOMKilled, Unschedulable, ...), when it does. */
  reason?: string;
  /** The failing pod (pod/NAME) or workload. */
  object?: string;
  message?: string;
}

export interface MiningPoolStatus {
  observedGeneration?: number;
  conditions?: Condition[];
  components?: ComponentStatus[];
  stratum?: { replicas: number; readyReplicas: number; selector: string };
  endpoints?: { stratum?: string; stratumExternal?: string; translator?: string; ckbRpc?: string };
  noiseAuthorityPublicKey?: string;
  chain?: { tipNumber?: number; bestKnownNumber?: number; syncProgress?: string };
  hashrate?: string;
}

export interface ObjectMeta {
  name: string;
  namespace: string;
  uid: string;
  generation?: number;
  resourceVersion?: string;
  deletionTimestamp?: string;
  finalizers?: string[];
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}

export interface MiningPool {
  apiVersion: typeof API_VERSION;
  kind: typeof KIND;
  metadata: ObjectMeta;
  spec: MiningPoolSpec;
  status?: MiningPoolStatus;
}
