/**
 * One reconcile of one MiningPool, top-down as a checklist:
 * get -> finalize if deleting -> ensure finalizer -> Noise Secret (create-only) -> sync children
 * -> prune switched-off children -> compute status -> write status only if it changed.
 * Level-based and idempotent: an unchanged pool costs reads only.
 */
import { withDefaults } from '../api/defaults.js';
import { API_VERSION, KIND, type MiningPool, type MiningPoolStatus } from '../api/types.js';
import type { KubeObject } from '../kube/rest.js';
import { prunableChildren, renderChildren } from '../render/index.js';
import { FINALIZER, childName, stableJson, type K8sObject } from '../render/meta.js';
import {
  NOISE_SECRET_KEYS,
  generateNoiseKeys,
  noiseSecret,
  sriAuthorityKey,
  type NoiseKeys,
} from '../render/noise.js';
import { generateRedisPassword, redisAuthSecret, redisAuthSecretName } from '../render/redis-auth.js';
import { generateServiceToken, serviceTokenSecret, serviceTokenSecretName } from '../render/service-token.js';
import type { Cluster } from './cluster.js';
import type { DependencyObservations } from './dependencies.js';
import type { EventSink } from './events.js';
import { dataSelector, finalize, setFinalizers } from './finalizer.js';
import { podProblems, workloadProblems, type PodLike } from './pod-health.js';
import { isControlledBy } from './ownership.js';
import type { PoolStats } from './pool-stats.js';
import {
  computeStatus,
  newProblems,
  transitions,
  type Observations,
  type WorkloadObservation,
} from './status.js';
import {
  needsUpdate,
  outdatedUnreadyPods,
  statefulUpdatesAllowed,
  type StatefulSetLike,
} from './stateful-rollout.js';
import { syncChild, type SyncAction, type SyncOutcome } from './sync.js';

export interface ReconcileDeps {
  cluster: Cluster;
  events: EventSink;
  now?: () => Date;
  generateKeys?: () => NoiseKeys;
  /** Called once per child sync (metrics). */
  onSync?: (kind: string, action: SyncAction) => void;
  /** The node's sync state and the job maker's dependency view (NodeSynced, TemplateFresh, ...). */
  dependencies?: (pool: MiningPool, jobmakerAvailable: boolean) => Promise<DependencyObservations>;
  /** Reads tip height and hashrate (the share processor's API); called only while it is available. */
  poolStats?: (pool: MiningPool) => Promise<PoolStats | undefined>;
}

export interface PoolKey {
  namespace: string;
  name: string;
}

export interface ReconcileResult {
  /** Requests that changed something on the server. */
  writes: number;
  /** Reconcile again after this many ms even without an event (waiting for pods or a load balancer). */
  requeueAfterMs?: number;
  deleted?: boolean;
}

/** Re-check a not-yet-ready pool this often (child informers usually wake us earlier). */
export const NOT_READY_RECHECK_MS = 30_000;
/** Refresh of Height/Hashrate for a ready pool (a status write only when the rounded values move). */
export const STATS_REFRESH_MS = 60_000;

export async function reconcile(deps: ReconcileDeps, key: PoolKey): Promise<ReconcileResult> {
  const { cluster, events } = deps;
  const raw = await cluster.get<MiningPool>({ apiVersion: API_VERSION, kind: KIND, ...key });
  if (!raw) return { writes: 0, deleted: true };
  const pool = withDefaults(raw);
  let writes = 0;

  if (pool.metadata.deletionTimestamp) {
    if (!pool.metadata.finalizers?.includes(FINALIZER)) return { writes: 0, deleted: true };
    await finalize(cluster, events, pool);
    return { writes: 1, deleted: true };
  }
  if (!pool.metadata.finalizers?.includes(FINALIZER)) {
    const updated = await setFinalizers(cluster, pool, [...(pool.metadata.finalizers ?? []), FINALIZER]);
    pool.metadata = { ...pool.metadata, ...(updated.metadata as MiningPool['metadata']) };
    writes++;
  }

  if (isPaused(pool)) return { writes: writes + (await writePausedStatus(deps, pool, raw)) };

  // Independent of each other: the Secret, every child and the pruning run concurrently.
  const desired = renderChildren(pool);
  const held = await heldStatefulUpdates(cluster, pool, desired);
  const [noise, redisAuth, serviceToken, outcomes, pruned] = await Promise.all([
    ensureNoiseSecret(deps, pool),
    ensureRedisAuthSecret(deps, pool),
    ensureGeneratedSecret(deps, pool, () => serviceTokenSecret(pool, generateServiceToken()) as KubeObject, {
      reason: 'ServiceTokenGenerated',
      note: `generated the token of the services' gRPC calls in Secret ${serviceTokenSecretName(pool)}`,
    }),
    Promise.all(
      desired.map((d) =>
        held.has(d)
          ? { desired: d, action: 'held' as const, current: held.get(d) }
          : syncChild(cluster, pool, d),
      ),
    ),
    prune(cluster, pool, desired),
  ]);
  writes += noise.writes + redisAuth + serviceToken.writes + pruned;
  for (const o of outcomes) {
    deps.onSync?.(o.desired.kind, o.action);
    if (o.action === 'created' || o.action === 'updated') writes++;
  }

  const observed = observe(pool, outcomes, noise.authorityPublicKey);
  const pods = await cluster
    .list<PodLike>({ apiVersion: 'v1', kind: 'Pod', namespace: pool.metadata.namespace }, dataSelector(pool))
    .then((l) => l.items)
    .catch(() => [] as PodLike[]); // pod health is best effort: the children's status still counts
  writes += await replaceOutdatedUnreadyPods(deps, pool, outcomes, pods);
  const now = (deps.now ?? (() => new Date()))();
  observed.problems.components = [
    ...workloadProblems(
      observed.workloads.map((w) => ({
        ...w,
        name: w.name ?? w.component,
        conditions: w.status?.conditions,
      })),
    ),
    ...podProblems(pods, now),
  ];
  const sp = observed.workloads.find((w) => w.component === 'shareprocessor');
  const statsSource = deps.poolStats && (sp?.status?.availableReplicas ?? 0) > 0 ? deps.poolStats : undefined;
  const jm = observed.workloads.find((w) => w.component === 'jobmaker');
  const [stats, dependencies] = await Promise.all([
    statsSource?.(pool),
    deps.dependencies?.(pool, (jm?.status?.availableReplicas ?? 0) > 0),
  ]);
  const status = computeStatus(pool, { ...observed, stats, dependencies }, now);
  if (stableJson(raw.status ?? {}) !== stableJson(status)) {
    await cluster.apply(
      {
        apiVersion: API_VERSION,
        kind: KIND,
        metadata: { name: key.name, namespace: key.namespace },
        status,
      } as KubeObject,
      {
        force: true,
        subresource: 'status',
      },
    );
    writes++;
    await emitTransitions(events, pool, raw.status, status);
  }
  const ready = status.conditions?.find((c) => c.type === 'Ready')?.status === 'True';
  if (held.size > 0) return { writes, requeueAfterMs: STATEFUL_ROLLOUT_RECHECK_MS };
  if (!ready) return { writes, requeueAfterMs: NOT_READY_RECHECK_MS };
  return statsSource ? { writes, requeueAfterMs: STATS_REFRESH_MS } : { writes };
}

/** Re-check a held stateful update this often (the StatefulSet informer usually wakes us earlier). */
export const STATEFUL_ROLLOUT_RECHECK_MS = 10_000;

/**
 * The desired StatefulSets whose update must wait (stateful-rollout.ts), with the server's object
 * each: one stateful child rolls at a time. Absent ones are created at once (nothing to disrupt).
 */
async function heldStatefulUpdates(
  cluster: Cluster,
  pool: MiningPool,
  desired: readonly K8sObject[],
): Promise<Map<K8sObject, KubeObject>> {
  const sets = desired.filter((d) => d.kind === 'StatefulSet');
  const found = await Promise.all(
    sets.map(async (d) => {
      const ref = {
        apiVersion: d.apiVersion,
        kind: d.kind,
        namespace: pool.metadata.namespace,
        name: d.metadata.name,
      };
      const cached = cluster.managedFromCache?.(ref);
      const current = cached === undefined ? await cluster.get(ref).catch(() => undefined) : cached;
      return current && isControlledBy(current, pool.metadata.uid) ? ([d, current] as const) : undefined;
    }),
  );
  const owned = found.filter((f) => f !== undefined);
  const current = new Map(owned.map(([, c]) => [c.metadata.name, c as StatefulSetLike]));
  const pending = owned.filter(([d, c]) => needsUpdate(d, c)).map(([d]) => d);
  const allowed = statefulUpdatesAllowed(pending, current);
  return new Map(
    owned.filter(([d]) => pending.includes(d) && !allowed.has(d.metadata.name)).map(([d, c]) => [d, c]),
  );
}

/** Deletes the not-ready pods a StatefulSet's own rollout would wait for forever (OrderedReady). */
async function replaceOutdatedUnreadyPods(
  deps: ReconcileDeps,
  pool: MiningPool,
  outcomes: readonly SyncOutcome[],
  pods: readonly PodLike[],
): Promise<number> {
  const sets = outcomes
    .filter((o) => o.desired.kind === 'StatefulSet' && o.current)
    .map((o) => o.current as StatefulSetLike);
  let deleted = 0;
  for (const pod of outdatedUnreadyPods(sets, pods)) {
    await deps.cluster.delete({
      apiVersion: 'v1',
      kind: 'Pod',
      namespace: pool.metadata.namespace,
      name: pod.metadata.name,
    });
    deleted++;
    await deps.events.emit(
      pool,
      'Normal',
      'OutdatedPodDeleted',
      'Rollout',
      `deleted pod ${pod.metadata.name}: not ready on an older revision of its StatefulSet, which would wait for it forever`,
    );
  }
  return deleted;
}

/** As Strimzi's `strimzi.io/pause-reconciliation`: children are left alone for maintenance. */
export const PAUSE_ANNOTATION = 'mining.eaglepool.dev/pause-reconciliation';
const isPaused = (pool: MiningPool): boolean => pool.metadata.annotations?.[PAUSE_ANNOTATION] === 'true';

/** Only the ReconciliationPaused condition changes (with observedGeneration); the rest of the status stays. */
async function writePausedStatus(deps: ReconcileDeps, pool: MiningPool, raw: MiningPool): Promise<number> {
  const gen = pool.metadata.generation ?? 0;
  const before = raw.status?.conditions?.find((c) => c.type === 'ReconciliationPaused');
  if (before?.status === 'True' && before.observedGeneration === gen) return 0;
  const now = (deps.now ?? (() => new Date()))()
    .toISOString()
    .replace(/\.\d{3}Z$/, 'Z');
  const paused = {
    type: 'ReconciliationPaused',
    status: 'True' as const,
    observedGeneration: gen,
    lastTransitionTime: before?.status === 'True' ? before.lastTransitionTime : now,
    reason: 'ReconciliationPaused',
    message: `${PAUSE_ANNOTATION}=true: the operator changes no child until the annotation is removed`,
  };
  const conditions = [...(raw.status?.conditions ?? []).filter((c) => c.type !== paused.type), paused];
  await deps.cluster.apply(
    {
      apiVersion: API_VERSION,
      kind: KIND,
      metadata: { name: pool.metadata.name, namespace: pool.metadata.namespace },
      status: { ...raw.status, conditions },
    } as KubeObject,
    { force: true, subresource: 'status' },
  );
  if (before?.status !== 'True')
    await deps.events.emit(pool, 'Normal', 'ReconciliationPaused', 'Reconcile', paused.message);
  return 1;
}

/**
 * Creates a generated Secret if absent (POST; never overwritten, so keys and passwords are never
 * rotated by accident); re-adopts an orphaned one of this pool (pvcRetentionPolicy Retain).
 */
async function ensureGeneratedSecret(
  deps: ReconcileDeps,
  pool: MiningPool,
  make: () => KubeObject,
  event: { reason: string; note: string },
): Promise<{ writes: number; secret?: KubeObject }> {
  const intent = make();
  const ref = {
    apiVersion: 'v1',
    kind: 'Secret',
    namespace: pool.metadata.namespace,
    name: intent.metadata.name,
  };
  let secret = await deps.cluster.get(ref);
  let writes = 0;
  if (!secret) {
    const created = await deps.cluster.create(intent);
    // undefined: somebody created it meanwhile; theirs stands.
    secret = created ?? (await deps.cluster.get(ref));
    if (created) {
      writes++;
      await deps.events.emit(pool, 'Normal', event.reason, 'Create', event.note);
    }
  } else if (
    secret.metadata.labels?.['app.kubernetes.io/instance'] === pool.metadata.name &&
    !(secret.metadata.ownerReferences ?? []).length
  ) {
    secret = await deps.cluster.mergePatch(ref, {
      metadata: {
        ownerReferences: intent.metadata.ownerReferences,
        resourceVersion: secret.metadata.resourceVersion,
      },
    });
    writes++;
  }
  return { writes, secret: secret ?? undefined };
}

/** The Noise key Secret (generated once) and the SRI authority key miners pin. */
async function ensureNoiseSecret(
  deps: ReconcileDeps,
  pool: MiningPool,
): Promise<{ writes: number; authorityPublicKey?: string }> {
  const { writes, secret } = await ensureGeneratedSecret(
    deps,
    pool,
    () => noiseSecret(pool, (deps.generateKeys ?? generateNoiseKeys)()) as KubeObject,
    {
      reason: 'NoiseKeysGenerated',
      note: `generated the Noise authority and static keys in Secret ${childName(pool, 'noise')}`,
    },
  );
  const data = (secret?.data ?? {}) as Record<string, string>;
  const pub = data[NOISE_SECRET_KEYS.authorityPublicKey];
  return {
    writes,
    authorityPublicKey: pub ? sriAuthorityKey(Buffer.from(pub, 'base64').toString('utf8')) : undefined,
  };
}

/** The managed Redis's password Secret (generated once). */
async function ensureRedisAuthSecret(deps: ReconcileDeps, pool: MiningPool): Promise<number> {
  if (pool.spec.redis.external) return 0;
  const { writes } = await ensureGeneratedSecret(
    deps,
    pool,
    () => redisAuthSecret(pool, generateRedisPassword()) as KubeObject,
    {
      reason: 'RedisPasswordGenerated',
      note: `generated the Redis password in Secret ${redisAuthSecretName(pool)}`,
    },
  );
  return writes;
}

async function prune(
  cluster: Cluster,
  pool: MiningPool,
  desired: ReturnType<typeof renderChildren>,
): Promise<number> {
  const deleted = await Promise.all(
    prunableChildren(pool, desired).map(async (ref) => {
      const full = { ...ref, namespace: pool.metadata.namespace };
      const cached = cluster.managedFromCache?.(full);
      // A GET only for kinds without a cache (e.g. ServiceMonitor, whose CRD may not exist).
      const current = cached !== undefined ? cached : await cluster.get(full).catch(() => undefined);
      if (!current || !isControlledBy(current, pool.metadata.uid)) return 0;
      await cluster.delete(full);
      return 1;
    }),
  );
  return deleted.reduce<number>((a, b) => a + b, 0);
}

function observe(pool: MiningPool, outcomes: SyncOutcome[], noiseAuthorityPublicKey?: string): Observations {
  const workloads: WorkloadObservation[] = [];
  const conflicts: string[] = [];
  const errors: string[] = [];
  let stratumExternal: string | undefined;
  for (const o of outcomes) {
    if (o.action === 'conflict') conflicts.push(o.message!);
    if (o.action === 'error') errors.push(o.message!);
    const cur = o.current as
      | (KubeObject & {
          spec?: { replicas?: number };
          status?: WorkloadObservation['status'] & Record<string, unknown>;
        })
      | undefined;
    if (o.desired.kind === 'Deployment' || o.desired.kind === 'StatefulSet') {
      const component = o.desired.metadata.labels?.['app.kubernetes.io/component'] ?? o.desired.metadata.name;
      const desiredSpec = (o.desired as unknown as { spec: { replicas: number } }).spec;
      workloads.push({
        component,
        kind: o.desired.kind,
        name: o.desired.metadata.name,
        desired: desiredSpec.replicas,
        generation: cur?.metadata.generation,
        status: cur?.status,
      });
    }
    if (o.desired.kind === 'Service' && o.desired.metadata.name === childName(pool, 'stratum')) {
      const ingress = (
        cur?.status as { loadBalancer?: { ingress?: { ip?: string; hostname?: string }[] } } | undefined
      )?.loadBalancer?.ingress?.[0];
      const host = ingress?.ip ?? ingress?.hostname;
      if (host) stratumExternal = `${host}:${pool.spec.stratum.port}`;
    }
  }
  return { workloads, problems: { conflicts, errors }, stratumExternal, noiseAuthorityPublicKey };
}

async function emitTransitions(
  events: EventSink,
  pool: MiningPool,
  before: MiningPoolStatus | undefined,
  after: MiningPoolStatus,
): Promise<void> {
  for (const c of newProblems(before, after))
    await events.emit(pool, 'Warning', c.reason!, 'Reconcile', `${c.name}: ${c.object}: ${c.message}`);
  for (const c of transitions(before, after)) {
    if (c.type === 'Ready' && c.status === 'True')
      await events.emit(pool, 'Normal', 'PoolReady', 'Reconcile', c.message);
    // Component problems have their own Events (above).
    if (
      c.type === 'Degraded' &&
      c.status === 'True' &&
      (c.reason === 'ApplyConflict' || c.reason === 'ApplyFailed')
    )
      await events.emit(pool, 'Warning', c.reason, 'Reconcile', c.message);
    if (c.type === 'Degraded' && c.status === 'False' && before)
      await events.emit(pool, 'Normal', 'Recovered', 'Reconcile', 'no more problems');
  }
}
