/**
 * Pure status computation: from the pool, what the children look like and what the last
 * sync hit, to the MiningPool status (metav1.Conditions whose lastTransitionTime moves only
 * when their status flips).
 */
import type { ComponentStatus, Condition, MiningPool, MiningPoolStatus } from '../api/types.js';
import { dependencyVerdicts, type DependencyObservations } from './dependencies.js';
import { describeProblem, type ComponentProblem } from './pod-health.js';
import { syncProgress } from '../../../pool/src/services/node-sync.js';
import type { PoolStats } from './pool-stats.js';
import { ckbRpcUrl } from '../render/config.js';
import { childName, selectorLabels, selectorString } from '../render/meta.js';

/** The observed part of a Deployment or StatefulSet. */
export interface WorkloadObservation {
  component: string;
  kind: 'Deployment' | 'StatefulSet';
  name?: string;
  /** spec.replicas as applied. */
  desired: number;
  generation?: number;
  status?: {
    observedGeneration?: number;
    replicas?: number;
    readyReplicas?: number;
    availableReplicas?: number;
    updatedReplicas?: number;
    conditions?: { type: string; status: string; reason?: string; message?: string }[];
  };
}

export interface SyncProblems {
  /** Human-readable field conflicts with other managers (one per object). */
  conflicts: string[];
  /** Errors applying children. */
  errors: string[];
  /** Pods and workloads that fail (crash loops, pull errors, OOM, unschedulable, stuck rollouts). */
  components?: ComponentProblem[];
}

export interface Observations {
  workloads: WorkloadObservation[];
  problems: SyncProblems;
  /** host:port from the stratum Service's load balancer status, when assigned. */
  stratumExternal?: string;
  noiseAuthorityPublicKey?: string;
  /** Chain height and hashrate from the share processor, when it answered. */
  stats?: PoolStats;
  /** The node's sync state and the job maker's view of its dependencies. */
  dependencies?: DependencyObservations;
}

const ready = (w: WorkloadObservation): number =>
  w.kind === 'Deployment' ? (w.status?.availableReplicas ?? 0) : (w.status?.readyReplicas ?? 0);

function rolledOut(w: WorkloadObservation): boolean {
  const s = w.status ?? {};
  const caughtUp = w.generation === undefined || (s.observedGeneration ?? 0) >= w.generation;
  return (
    caughtUp &&
    (s.updatedReplicas ?? 0) >= w.desired &&
    (s.replicas ?? 0) === w.desired &&
    ready(w) >= w.desired
  );
}

function condition(
  type: string,
  ok: boolean | Condition['status'],
  reason: string,
  message: string,
  gen: number,
  now: string,
  previous?: Condition[],
): Condition {
  const status = ok === true ? 'True' : ok === false ? 'False' : ok;
  const before = previous?.find((c) => c.type === type);
  const lastTransitionTime = before && before.status === status ? before.lastTransitionTime : now;
  return { type, status, observedGeneration: gen, lastTransitionTime, reason, message };
}

export function computeStatus(pool: MiningPool, obs: Observations, now: Date): MiningPoolStatus {
  const gen = pool.metadata.generation ?? 0;
  const at = now.toISOString().replace(/\.\d{3}Z$/, 'Z');
  const prev = pool.status?.conditions;
  const notReady = obs.workloads.filter(
    (w) => ready(w) < w.desired || (w.component === 'stratum' && ready(w) === 0),
  );
  const rolling = obs.workloads.filter((w) => !rolledOut(w));
  const { conflicts, errors } = obs.problems;
  const failing = obs.problems.components ?? [];
  const failingText = failing.map(describeProblem).join('; ');

  const verdicts = dependencyVerdicts(obs.dependencies ?? {});
  const nodeSynced = verdicts.find((v) => v.type === 'NodeSynced')!;
  const summary = (ws: WorkloadObservation[]) =>
    ws.map((w) => `${w.component} ${ready(w)}/${w.desired}`).join(', ');
  const readyCond =
    conflicts.length > 0
      ? condition('Ready', false, 'ApplyConflict', conflicts.join('; '), gen, at, prev)
      : errors.length > 0
        ? condition('Ready', false, 'ApplyFailed', errors.join('; '), gen, at, prev)
        : notReady.length > 0
          ? condition(
              'Ready',
              false,
              'ComponentsNotReady',
              `waiting for ${summary(notReady)}${failing.length > 0 ? ` (${failingText})` : ''}`,
              gen,
              at,
              prev,
            )
          : nodeSynced.status === 'False'
            ? condition('Ready', false, 'NodeNotSynced', nodeSynced.message, gen, at, prev)
            : condition('Ready', true, 'PoolReady', 'all components are ready', gen, at, prev);
  const progressing =
    rolling.length > 0
      ? condition('Progressing', true, 'RollingOut', `rolling out ${summary(rolling)}`, gen, at, prev)
      : condition('Progressing', false, 'Complete', 'every component runs the current spec', gen, at, prev);
  const problems = [...conflicts, ...errors];
  const reasons = [...new Set(failing.map((p) => p.reason))];
  const degraded =
    problems.length > 0
      ? condition(
          'Degraded',
          true,
          conflicts.length > 0 ? 'ApplyConflict' : 'ApplyFailed',
          [...problems, ...(failing.length > 0 ? [failingText] : [])].join('; '),
          gen,
          at,
          prev,
        )
      : failing.length > 0
        ? condition(
            'Degraded',
            true,
            reasons.length === 1 ? reasons[0]! : 'ComponentsFailing',
            failingText,
            gen,
            at,
            prev,
          )
        : condition('Degraded', false, 'AsExpected', 'no problems', gen, at, prev);

  const stratum = obs.workloads.find((w) => w.component === 'stratum');
  const node = obs.dependencies?.node;
  const sync = node?.reachable ? node.sync : undefined;
  const tipNumber =
    (sync ? Number(sync.tip) : undefined) ?? obs.stats?.tipNumber ?? pool.status?.chain?.tipNumber;
  const hashrate = obs.stats?.hashrate ?? pool.status?.hashrate;
  const ns = pool.metadata.namespace;
  return {
    observedGeneration: gen,
    conditions: [
      readyCond,
      progressing,
      degraded,
      ...verdicts.map((v) => condition(v.type, v.status, v.reason, v.message, gen, at, prev)),
    ],
    components: componentStatuses(obs.workloads, failing),
    stratum: {
      replicas: stratum?.status?.replicas ?? 0,
      readyReplicas: stratum ? ready(stratum) : 0,
      selector: selectorString(selectorLabels(pool, 'stratum')),
    },
    endpoints: {
      stratum: `${childName(pool, 'stratum')}.${ns}.svc:${pool.spec.stratum.port}`,
      ...(obs.stratumExternal ? { stratumExternal: obs.stratumExternal } : {}),
      ...(pool.spec.translator.enabled
        ? { translator: `${childName(pool, 'translator')}.${ns}.svc:${pool.spec.translator.port}` }
        : {}),
      ckbRpc: ckbRpcUrl(pool),
    },
    ...(obs.noiseAuthorityPublicKey ? { noiseAuthorityPublicKey: obs.noiseAuthorityPublicKey } : {}),
    // From the share processor when it answered, else what was there.
    ...(tipNumber !== undefined
      ? {
          chain: {
            tipNumber,
            ...(sync?.known
              ? { bestKnownNumber: Number(sync.best), syncProgress: syncProgress(sync.tip, sync.best) }
              : {}),
          },
        }
      : {}),
    ...(hashrate !== undefined ? { hashrate } : {}),
  };
}

/** One entry per workload: ready count and its first problem (what `kubectl describe` shows). */
function componentStatuses(ws: WorkloadObservation[], failing: ComponentProblem[]): ComponentStatus[] {
  return ws.map((w) => {
    const p = failing.find((f) => f.component === w.component);
    return {
      name: w.component,
      ready: `${ready(w)}/${w.desired}`,
      ...(p ? { reason: p.reason, object: p.object, message: p.message } : {}),
    };
  });
}

/** Component problems in `after` that `before` did not have (one Warning Event each). */
export function newProblems(
  before: MiningPoolStatus | undefined,
  after: MiningPoolStatus,
): ComponentStatus[] {
  return (after.components ?? []).filter(
    (c) =>
      c.reason !== undefined &&
      !(before?.components ?? []).some(
        (b) => b.name === c.name && b.reason === c.reason && b.object === c.object,
      ),
  );
}

/** Which condition types flipped between two statuses (for Events). */
export function transitions(before: MiningPoolStatus | undefined, after: MiningPoolStatus): Condition[] {
  return (after.conditions ?? []).filter(
    (c) => before?.conditions?.find((b) => b.type === c.type)?.status !== c.status,
  );
}
