/**
 * What the pool depends on, as conditions with observedGeneration (in the style of the
 * per-concern conditions CloudNativePG and Strimzi publish next to Ready):
 * - NodeSynced: the CKB node is out of initial block download and within the job maker's lag
 *   limit of its peers, with progress (the node asked directly: sync_state + tip header);
 * - TemplateFresh: the job maker fetched a block template recently;
 * - ShareLogWritable / StoreReachable: the job maker's Kafka producer / Redis are connected.
 * The last three come from the job maker's /metrics (the gauges it exports anyway).
 */
import { Registry } from 'prom-client';
import { CkbRpcClient } from '../../../pool/src/ckb-node/rpc.js';
import { nodeSyncChecker, syncProgress, type NodeSync } from '../../../pool/src/services/node-sync.js';
import type { Condition, MiningPool } from '../api/types.js';
import { METRICS_PORT, ckbRpcUrl, serviceHost } from '../render/config.js';
import { getBounded } from './http-get.js';

/** The job maker's default jobmaker.maxNodeLagBlocks (pool/src/config/schema.ts). */
export const NODE_LAG_BLOCKS = 10;
/** A template older than this is stale (the job maker polls every second). */
export const TEMPLATE_STALE_SECONDS = 60;
const PROBE_TIMEOUT_MS = 2000;
const MAX_METRICS_BYTES = 512 * 1024;

export type NodeObservation = { reachable: true; sync: NodeSync } | { reachable: false; error: string };

export interface JobmakerObservation {
  templateAgeSeconds?: number;
  kafkaUp?: boolean;
  redisUp?: boolean;
}

export interface DependencyObservations {
  node?: NodeObservation;
  /** Undefined: the job maker is not available (or did not answer). */
  jobmaker?: JobmakerObservation;
}

export async function observeNode(url: string): Promise<NodeObservation> {
  const rpc = new CkbRpcClient({ url, timeoutMs: PROBE_TIMEOUT_MS, retries: 0, registry: new Registry() });
  try {
    return { reachable: true, sync: await nodeSyncChecker(rpc, NODE_LAG_BLOCKS, 0)() };
  } catch (err) {
    return { reachable: false, error: (err as Error).message };
  }
}

/** The job maker's gauges of interest from Prometheus text (unlabelled or with one label). */
export function parseJobmakerMetrics(text: string): JobmakerObservation {
  const value = (name: string, label?: string): number | undefined => {
    const prefix = label ? `${name}{${label}}` : name;
    const line = text.split('\n').find((l) => l.startsWith(`${prefix} `));
    const v = line === undefined ? NaN : Number(line.slice(prefix.length + 1).trim());
    return Number.isFinite(v) ? v : undefined;
  };
  const up = (dependency: string) => {
    const v = value('eaglepool_jobmaker_dependency_up', `dependency="${dependency}"`);
    return v === undefined ? undefined : v === 1;
  };
  return {
    templateAgeSeconds: value('eaglepool_jobmaker_template_age_seconds'),
    kafkaUp: up('kafka'),
    redisUp: up('redis'),
  };
}

export async function observeJobmaker(pool: MiningPool): Promise<JobmakerObservation | undefined> {
  const text = await getBounded(
    `http://${serviceHost(pool, 'jobmaker')}:${METRICS_PORT}/metrics`,
    PROBE_TIMEOUT_MS,
    MAX_METRICS_BYTES,
  );
  return text === undefined ? undefined : parseJobmakerMetrics(text);
}

/** Asks the node always and the job maker only while it is available. */
export async function observeDependencies(
  pool: MiningPool,
  jobmakerAvailable: boolean,
): Promise<DependencyObservations> {
  const [node, jobmaker] = await Promise.all([
    observeNode(ckbRpcUrl(pool)),
    jobmakerAvailable ? observeJobmaker(pool) : Promise.resolve(undefined),
  ]);
  return { node, jobmaker };
}

type Verdict = Pick<Condition, 'type' | 'status' | 'reason' | 'message'>;

function nodeVerdict(node: NodeObservation | undefined): Verdict {
  const type = 'NodeSynced';
  if (!node) return { type, status: 'Unknown', reason: 'NotObserved', message: 'the node was not asked yet' };
  if (!node.reachable)
    return {
      type,
      status: 'Unknown',
      reason: 'NodeUnreachable',
      message: `sync_state failed: ${node.error}`,
    };
  const s = node.sync;
  const where = `tip ${s.tip} of ${s.best} known (${syncProgress(s.tip, s.best)})`;
  if (!s.known)
    return {
      type,
      status: 'Unknown',
      reason: 'SyncStateUnavailable',
      message: `the node has no sync_state (Net RPC module off); ${where}`,
    };
  if (s.serve) return { type, status: 'True', reason: 'Synced', message: where };
  return { type, status: 'False', reason: s.ibd ? 'InitialBlockDownload' : 'NodeBehind', message: s.reason! };
}

function jobmakerVerdicts(jm: JobmakerObservation | undefined): Verdict[] {
  const unknown = (type: string): Verdict => ({
    type,
    status: 'Unknown',
    reason: 'JobmakerUnavailable',
    message: 'the job maker is not available to report it',
  });
  if (!jm) return ['TemplateFresh', 'ShareLogWritable', 'StoreReachable'].map(unknown);
  const age = jm.templateAgeSeconds;
  const template: Verdict =
    age === undefined
      ? unknown('TemplateFresh')
      : age === 0
        ? {
            type: 'TemplateFresh',
            status: 'False',
            reason: 'NoTemplate',
            message: 'no block template fetched yet',
          }
        : age > TEMPLATE_STALE_SECONDS
          ? {
              type: 'TemplateFresh',
              status: 'False',
              reason: 'TemplateStale',
              message: `last block template ${Math.round(age)} s ago`,
            }
          : {
              type: 'TemplateFresh',
              status: 'True',
              reason: 'Fresh',
              message: `last block template ${Math.round(age)} s ago`,
            };
  const link = (type: string, up: boolean | undefined, what: string): Verdict =>
    up === undefined
      ? unknown(type)
      : up
        ? { type, status: 'True', reason: 'Connected', message: `${what} connected` }
        : { type, status: 'False', reason: 'Disconnected', message: `${what} not connected` };
  return [
    template,
    link('ShareLogWritable', jm.kafkaUp, 'Kafka producer'),
    link('StoreReachable', jm.redisUp, 'Redis'),
  ];
}

export function dependencyVerdicts(obs: DependencyObservations): Verdict[] {
  return [nodeVerdict(obs.node), ...jobmakerVerdicts(obs.jobmaker)];
}
