// Connection details of the real dependencies started by the infra harness
// (e2e/infra/vitest-global-setup.ts sets these variables for every integration suite;
// `npx tsx e2e/infra/cli.ts up` prints them for a shell).

export interface InfraEnv {
  /** redis://127.0.0.1:<port> of a throwaway redis-server (no persistence). */
  redisUrl: string;
  /** host:port of the single KRaft Kafka broker (auto topic creation is OFF). */
  kafkaBrokers: string[];
  /** Path of an admin kubeconfig (system:masters) for the kube-apiserver. */
  kubeconfig: string;
  /** Path of the helm binary. */
  helm: string;
  /** http://127.0.0.1:<port> of a real CKB dev-chain node (opt-in `ckb` tier; absent otherwise). */
  ckbRpc?: string;
  /** Admin kubeconfig of the cluster tier (opt-in `cluster`): a single node that runs pods. */
  clusterKubeconfig?: string;
}

export const INFRA_ENV_VARS = {
  redisUrl: 'EAGLEPOOL_REDIS_URL',
  kafkaBrokers: 'EAGLEPOOL_KAFKA_BROKERS',
  kubeconfig: 'EAGLEPOOL_KUBECONFIG',
  helm: 'EAGLEPOOL_HELM',
  ckbRpc: 'EAGLEPOOL_CKB_RPC',
  clusterKubeconfig: 'EAGLEPOOL_CLUSTER_KUBECONFIG',
} as const satisfies Record<keyof InfraEnv, string>;

/** More of the cluster tier's details, set alongside EAGLEPOOL_CLUSTER_KUBECONFIG. */
export const CLUSTER_ENV_VARS = {
  /** kubectl built from the same Kubernetes source. */
  kubectl: 'EAGLEPOOL_KUBECTL',
  /** The node's address as the host reaches it (NodePorts 31000-31999 answer there). */
  nodeIp: 'EAGLEPOOL_CLUSTER_NODE_IP',
  /** JSON file {pause,pool,ckb,redis,kafka: {image, archive}} of the images loaded into the node. */
  images: 'EAGLEPOOL_CLUSTER_IMAGES',
} as const;

export class InfraEnvError extends Error {
  override readonly name = 'InfraEnvError';
}

function required(env: NodeJS.ProcessEnv, name: string): string {
  const value = env[name];
  if (value === undefined || value.trim() === '') {
    throw new InfraEnvError(
      `${name} is not set: integration tests need the infra harness. Run them with ` +
        '`npx vitest run --project integration` (its global setup starts Redis, Kafka, kube-apiserver ' +
        'and finds helm), or start the harness by hand with `npx tsx e2e/infra/cli.ts up` and export ' +
        'the variables it prints.',
    );
  }
  return value.trim();
}

function splitBrokers(list: string): string[] {
  return list
    .split(',')
    .map((b) => b.trim())
    .filter((b) => b !== '');
}

/** Reads the harness's connection details; throws InfraEnvError naming the first missing variable. */
export function infraEnv(env: NodeJS.ProcessEnv = process.env): InfraEnv {
  const redisUrl = required(env, INFRA_ENV_VARS.redisUrl);
  const kafkaBrokers = splitBrokers(required(env, INFRA_ENV_VARS.kafkaBrokers));
  return {
    redisUrl,
    kafkaBrokers,
    kubeconfig: required(env, INFRA_ENV_VARS.kubeconfig),
    helm: required(env, INFRA_ENV_VARS.helm),
  };
}

/** Each dependency on its own, for suites that run with a subset (EAGLEPOOL_INFRA=redis,kafka). */
export const redisUrl = (env: NodeJS.ProcessEnv = process.env): string =>
  required(env, INFRA_ENV_VARS.redisUrl);
export const kafkaBrokers = (env: NodeJS.ProcessEnv = process.env): string[] =>
  splitBrokers(required(env, INFRA_ENV_VARS.kafkaBrokers));
export const kubeconfigPath = (env: NodeJS.ProcessEnv = process.env): string =>
  required(env, INFRA_ENV_VARS.kubeconfig);
export const helmPath = (env: NodeJS.ProcessEnv = process.env): string => required(env, INFRA_ENV_VARS.helm);

/** The ckb tier's node: its TCP subscription and the block assembler's lock args. */
export const CKB_SUBSCRIPTION_ENV = 'EAGLEPOOL_CKB_SUBSCRIPTION';
export const CKB_LOCK_ARGS_ENV = 'EAGLEPOOL_CKB_LOCK_ARGS';
export const ckbRpcUrl = (env: NodeJS.ProcessEnv = process.env): string =>
  required(env, INFRA_ENV_VARS.ckbRpc);
export const ckbSubscriptionUrl = (env: NodeJS.ProcessEnv = process.env): string =>
  required(env, CKB_SUBSCRIPTION_ENV);
export const clusterKubeconfigPath = (env: NodeJS.ProcessEnv = process.env): string =>
  required(env, INFRA_ENV_VARS.clusterKubeconfig);
