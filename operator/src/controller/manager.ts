/**
 * Wires the operator together: informers (MiningPools + the Deployments, StatefulSets and
 * Services it manages) feed a keyed work queue; only while holding the leader Lease does the
 * queue run reconciles; a periodic resync re-queues every pool.
 */
import { hostname } from 'node:os';
import { randomBytes } from 'node:crypto';
import type { KubeConfig, KubernetesListObject, KubernetesObject } from '@kubernetes/client-node';
import { API_VERSION, KIND } from '../api/types.js';
import { KubeRest } from '../kube/rest.js';
import { resourcePath } from '../kube/resources.js';
import { MANAGED_BY } from '../render/meta.js';
import { CachedCluster } from './cached-cluster.js';
import { observeDependencies } from './dependencies.js';
import { fetchPoolStats } from './pool-stats.js';
import { KubeEvents } from './events.js';
import { ResilientInformer, type InformerVerb } from './informer.js';
import { LeaderElector } from './leader.js';
import { OperatorMetrics } from './metrics.js';
import { WorkQueue } from './queue.js';
import { reconcile, type ReconcileDeps } from './reconcile.js';

export interface ManagerOptions {
  kc: KubeConfig;
  /** Watch one namespace; all when undefined. */
  namespace?: string;
  leaseNamespace: string;
  leaderElection: boolean;
  resyncSeconds: number;
  identity?: string;
  log?: (level: 'info' | 'warn' | 'error', msg: string, fields?: Record<string, unknown>) => void;
  /** Called after losing the Lease (reconciling has stopped). Default: exit 1 and let Kubernetes restart us clean. */
  onLostLeadership?: () => void;
}

export const LEASE_NAME = 'eaglepool-operator';

export class Manager {
  readonly metrics = new OperatorMetrics();
  readonly rest: KubeRest;
  readonly identity: string;
  private readonly queue: WorkQueue;
  private readonly informers: ResilientInformer<KubernetesObject>[] = [];
  /** Informer caches of the managed children, by `apiVersion/kind` (reads of reconcile). */
  private readonly caches = new Map<string, ResilientInformer<KubernetesObject>>();
  private readonly elector: LeaderElector | undefined;
  private resyncTimer: NodeJS.Timeout | undefined;
  private active = false;
  private synced = false;
  private readonly log: NonNullable<ManagerOptions['log']>;

  constructor(private readonly o: ManagerOptions) {
    this.rest = new KubeRest(o.kc);
    this.identity = o.identity ?? `${hostname()}_${randomBytes(4).toString('hex')}`;
    this.log =
      o.log ??
      ((level, msg, fields) =>
        console.log(JSON.stringify({ level, msg, ...fields, time: new Date().toISOString() })));
    const deps: ReconcileDeps = {
      cluster: new CachedCluster(this.rest, this.caches),
      events: new KubeEvents(this.rest, this.identity, (e) => this.error('event', e)),
      onSync: (kind, action) => this.metrics.childSyncs.inc({ kind, action }),
      poolStats: (pool) => fetchPoolStats(pool),
      dependencies: observeDependencies,
    };
    this.queue = new WorkQueue((key) => this.reconcileKey(deps, key), {
      onError: (key, err) => this.error('reconcile', err, { pool: key }),
    });
    if (o.leaderElection) {
      this.elector = new LeaderElector({
        client: this.rest,
        namespace: o.leaseNamespace,
        name: LEASE_NAME,
        identity: this.identity,
        onStartedLeading: () => this.setActive(true),
        onStoppedLeading: () => this.setActive(false),
        onError: (e) => this.error('leader', e),
      });
    }
  }

  /** True once the informers listed (readiness), leader or not. */
  get ready(): boolean {
    return this.synced;
  }

  get isLeader(): boolean {
    return this.active;
  }

  /** Resolves when the queue has nothing pending or running. */
  idle(): Promise<void> {
    return this.queue.idle();
  }

  async start(): Promise<void> {
    const ns = this.o.namespace;
    const selector = `app.kubernetes.io/managed-by=${MANAGED_BY}`;
    const watch = (
      apiVersion: string,
      kind: string,
      labelSelector: string | undefined,
      toKey: (verb: InformerVerb, o: KubernetesObject) => string | undefined,
    ) => {
      const ref = { apiVersion, kind, namespace: ns };
      const informer = new ResilientInformer<KubernetesObject>({
        kc: this.o.kc,
        path: resourcePath(ref),
        labelSelector,
        list: () => this.rest.list(ref, labelSelector) as Promise<KubernetesListObject<KubernetesObject>>,
        onEvent: (verb, obj) => {
          const key = toKey(verb, obj);
          if (key) this.enqueue(key);
        },
        onRestart: (reason) => {
          this.metrics.informerRestarts.inc({ resource: kind });
          this.log('warn', 'informer restart', { resource: kind, reason });
        },
      });
      this.informers.push(informer);
      if (labelSelector) this.caches.set(`${apiVersion}/${kind}`, informer);
      return informer;
    };
    // Pool updates that change neither spec nor deletion state (our own status writes) are skipped.
    const seen = new Map<string, string>();
    const poolKey = (verb: InformerVerb, o: KubernetesObject) => {
      const key = `${o.metadata?.namespace}/${o.metadata?.name}`;
      if (verb === 'delete') {
        seen.delete(key);
        return key;
      }
      const m = o.metadata;
      const fingerprint = JSON.stringify([m?.uid, m?.generation, m?.deletionTimestamp, m?.finalizers]);
      if (verb === 'update' && seen.get(key) === fingerprint) return undefined;
      seen.set(key, fingerprint);
      return key;
    };
    const ownerKey = (_verb: InformerVerb, o: KubernetesObject) => {
      const owner = o.metadata?.ownerReferences?.find(
        (r) => r.controller && r.kind === KIND && r.apiVersion === API_VERSION,
      );
      return owner ? `${o.metadata?.namespace}/${owner.name}` : undefined;
    };
    watch(API_VERSION, KIND, undefined, poolKey);
    watch('apps/v1', 'Deployment', selector, ownerKey);
    watch('apps/v1', 'StatefulSet', selector, ownerKey);
    watch('v1', 'Service', selector, ownerKey);
    watch('v1', 'ConfigMap', selector, ownerKey);
    watch('networking.k8s.io/v1', 'NetworkPolicy', selector, ownerKey);
    watch('policy/v1', 'PodDisruptionBudget', selector, ownerKey);
    watch('autoscaling/v2', 'HorizontalPodAutoscaler', selector, ownerKey);
    await Promise.all(this.informers.map((i) => i.start()));
    this.synced = true;
    this.resyncTimer = setInterval(() => this.resync(), this.o.resyncSeconds * 1000);
    this.resyncTimer.unref();
    if (this.elector) this.elector.start();
    else this.setActive(true);
    this.log('info', 'operator started', {
      identity: this.identity,
      namespace: ns ?? '(all)',
      leaderElection: this.o.leaderElection,
    });
  }

  async stop(): Promise<void> {
    if (this.resyncTimer) clearInterval(this.resyncTimer);
    this.active = false;
    this.queue.stop();
    await Promise.all(this.informers.map((i) => i.stop()));
    await this.elector?.stop();
    this.rest.close();
  }

  /** Queues every known pool (periodic resync, and on becoming leader). */
  resync(): void {
    for (const pool of this.informers[0]?.list() ?? [])
      this.enqueue(`${pool.metadata?.namespace}/${pool.metadata?.name}`);
  }

  private enqueue(key: string): void {
    if (!this.active) return; // a stand-by replica only keeps its caches warm
    this.queue.add(key);
    this.metrics.queueDepth.set(this.queue.depth);
  }

  private setActive(active: boolean): void {
    this.active = active;
    this.metrics.leader.set(active ? 1 : 0);
    this.log('info', active ? 'leading' : 'stopped leading', { identity: this.identity });
    if (active) this.resync();
    else if (this.o.leaderElection) {
      this.queue.stop();
      this.log('error', 'lost the leader Lease');
      // Like controller-runtime: a replica that lost the Lease exits and restarts clean.
      (this.o.onLostLeadership ?? (() => void this.stop().then(() => process.exit(1))))();
    }
  }

  private async reconcileKey(deps: ReconcileDeps, key: string) {
    this.metrics.queueDepth.set(this.queue.depth);
    if (!this.active) return;
    const [namespace, name] = key.split('/') as [string, string];
    const end = this.metrics.duration.startTimer();
    try {
      const result = await reconcile(deps, { namespace, name });
      this.metrics.reconciles.inc({ result: 'success' });
      if (result.writes > 0) this.log('info', 'reconciled', { pool: key, writes: result.writes });
      return result;
    } catch (err) {
      this.metrics.reconciles.inc({ result: 'error' });
      throw err;
    } finally {
      end();
    }
  }

  private error(source: string, err: unknown, fields: Record<string, unknown> = {}): void {
    this.metrics.errors.inc({ source });
    this.log('error', `${source} error`, {
      ...fields,
      error: err instanceof Error ? err.message : String(err),
    });
  }
}
