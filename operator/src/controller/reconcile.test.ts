/* eslint-disable @typescript-eslint/no-explicit-any -- tests poke at stored objects dynamically */
import { beforeEach, describe, expect, it } from 'vitest';
import { API_VERSION, KIND, type MiningPool } from '../api/types.js';
import { decodeAuthorityPublicKey } from '../../../pool/src/sv2/noise/keys.js';
import { FakeCluster } from '../../test/fake-cluster.js';
import { userPool } from '../../test/sample.js';
import type { EventSink } from './events.js';
import { reconcile, type ReconcileDeps } from './reconcile.js';

class RecordedEvents implements EventSink {
  readonly list: { type: string; reason: string; note: string }[] = [];
  async emit(
    _pool: MiningPool,
    type: 'Normal' | 'Warning',
    reason: string,
    _action: string,
    note: string,
  ): Promise<void> {
    this.list.push({ type, reason, note });
  }
}

const key = { namespace: 'ns', name: 'p' };
const poolRef = { apiVersion: API_VERSION, kind: KIND, ...key };
let cluster: FakeCluster;
let events: RecordedEvents;
let deps: ReconcileDeps;
let clock = 0;

beforeEach(() => {
  cluster = new FakeCluster();
  events = new RecordedEvents();
  clock = Date.parse('2026-11-25T10:00:00Z');
  deps = { cluster, events, now: () => new Date((clock += 1000)) };
});

const createPool = (spec: Record<string, unknown> = {}) => cluster.seed(userPool('p', 'ns', spec) as any);
const getPool = async () => (await cluster.get<MiningPool>(poolRef))!;
const get = (
  kind: string,
  name: string,
  apiVersion = kind === 'Deployment' || kind === 'StatefulSet' ? 'apps/v1' : 'v1',
) => cluster.get<any>({ apiVersion, kind, namespace: 'ns', name });
const cond = (pool: MiningPool, type: string) => pool.status?.conditions?.find((c) => c.type === type);

async function markWorkloadsReady(): Promise<void> {
  for (const o of cluster.objects.values()) {
    if (o.kind !== 'Deployment' && o.kind !== 'StatefulSet') continue;
    const n = (o as any).spec.replicas;
    o.status = {
      observedGeneration: o.metadata.generation,
      replicas: n,
      readyReplicas: n,
      availableReplicas: n,
      updatedReplicas: n,
    };
  }
}

describe('reconcile', () => {
  it('creates finalizer, Noise Secret, every child and a status; a second pass writes nothing', async () => {
    createPool();
    const first = await reconcile(deps, key);
    expect(first.writes).toBeGreaterThan(20);
    const pool = await getPool();
    expect(pool.metadata.finalizers).toEqual(['mining.eaglepool.dev/retention']);
    expect(await get('Deployment', 'p-stratum')).toBeDefined();
    expect(await get('StatefulSet', 'p-ckb')).toBeDefined();
    expect(cond(pool, 'Ready')).toMatchObject({
      status: 'False',
      reason: 'ComponentsNotReady',
      observedGeneration: 1,
    });
    expect(cond(pool, 'Progressing')).toMatchObject({ status: 'True', reason: 'RollingOut' });
    expect(pool.status?.stratum).toEqual({
      replicas: 0,
      readyReplicas: 0,
      selector:
        'app.kubernetes.io/name=eaglepool,app.kubernetes.io/instance=p,app.kubernetes.io/component=stratum',
    });
    expect(decodeAuthorityPublicKey(pool.status!.noiseAuthorityPublicKey!)).toHaveLength(32);
    expect(events.list.map((e) => e.reason).sort()).toEqual([
      'NoiseKeysGenerated',
      'RedisPasswordGenerated',
      'ServiceTokenGenerated',
    ]);
    const token = await get('Secret', 'p-service-token');
    expect(Buffer.from(token.data.token, 'base64').toString()).toMatch(/^[0-9a-f]{64}$/);

    const writesBefore = cluster.writes.length;
    const second = await reconcile(deps, key);
    expect(second.writes).toBe(0);
    expect(cluster.writes.length).toBe(writesBefore);
    expect((await getPool()).metadata.resourceVersion).toBe(pool.metadata.resourceVersion);
  });

  it('reports Ready once workloads are, keeping lastTransitionTime of unchanged conditions', async () => {
    createPool();
    await reconcile(deps, key);
    const before = await getPool();
    await markWorkloadsReady();
    await reconcile(deps, key);
    const pool = await getPool();
    expect(cond(pool, 'Ready')).toMatchObject({ status: 'True', reason: 'PoolReady' });
    expect(cond(pool, 'Ready')!.lastTransitionTime).not.toBe(cond(before, 'Ready')!.lastTransitionTime);
    expect(cond(pool, 'Degraded')!.lastTransitionTime).toBe(cond(before, 'Degraded')!.lastTransitionTime);
    expect(pool.status?.stratum).toMatchObject({ replicas: 2, readyReplicas: 2 });
    expect(events.list.map((e) => e.reason)).toContain('PoolReady');
  });

  it('pause-reconciliation: no child is touched, ReconciliationPaused is reported; removing it resumes', async () => {
    createPool();
    await reconcile(deps, key);
    const pool = await getPool();
    await cluster.mergePatch(poolRef, {
      metadata: { annotations: { 'mining.eaglepool.dev/pause-reconciliation': 'true' } },
      spec: { stratum: { replicas: 7 } },
    });
    const writesBefore = cluster.writes.length;
    await reconcile(deps, key);
    const paused = await getPool();
    expect(cluster.writes.slice(writesBefore)).toEqual(['apply MiningPool/p/status']);
    expect((await get('Deployment', 'p-stratum')).spec.replicas).toBe(2);
    expect(cond(paused, 'ReconciliationPaused')).toMatchObject({
      status: 'True',
      reason: 'ReconciliationPaused',
    });
    expect(cond(paused, 'Ready')).toEqual(cond(pool, 'Ready'));
    expect(events.list.map((e) => e.reason)).toContain('ReconciliationPaused');
    // Still paused: nothing written at all.
    const again = cluster.writes.length;
    await reconcile(deps, key);
    expect(cluster.writes.length).toBe(again);
    await cluster.mergePatch(poolRef, {
      metadata: { annotations: { 'mining.eaglepool.dev/pause-reconciliation': null } },
    });
    await reconcile(deps, key);
    expect((await get('Deployment', 'p-stratum')).spec.replicas).toBe(7);
    expect(cond(await getPool(), 'ReconciliationPaused')).toBeUndefined();
  });

  it('a crash-looping pod makes its component Degraded with reason, pod and one Warning Event', async () => {
    createPool();
    await reconcile(deps, key);
    await markWorkloadsReady();
    const crashing = {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: {
        name: 'p-stratum-abc',
        namespace: 'ns',
        labels: {
          'app.kubernetes.io/name': 'eaglepool',
          'app.kubernetes.io/instance': 'p',
          'app.kubernetes.io/component': 'stratum',
        },
      },
      status: {
        containerStatuses: [
          {
            name: 'stratum',
            restartCount: 5,
            state: { waiting: { reason: 'CrashLoopBackOff', message: 'back-off 2m40s' } },
          },
        ],
      },
    };
    cluster.seed(crashing as any);
    events.list.length = 0;
    await reconcile(deps, key);
    let pool = await getPool();
    expect(cond(pool, 'Degraded')).toMatchObject({
      status: 'True',
      reason: 'CrashLoopBackOff',
      message:
        'stratum: pod/p-stratum-abc: CrashLoopBackOff: container stratum: back-off 2m40s (restarts: 5)',
      observedGeneration: 1,
    });
    expect(pool.status?.components?.find((c) => c.name === 'stratum')).toEqual({
      name: 'stratum',
      ready: '2/2',
      reason: 'CrashLoopBackOff',
      object: 'pod/p-stratum-abc',
      message: 'container stratum: back-off 2m40s (restarts: 5)',
    });
    expect(pool.status?.components?.find((c) => c.name === 'kafka')).toEqual({ name: 'kafka', ready: '1/1' });
    expect(events.list.filter((e) => e.type === 'Warning')).toEqual([
      {
        type: 'Warning',
        reason: 'CrashLoopBackOff',
        note: 'stratum: pod/p-stratum-abc: container stratum: back-off 2m40s (restarts: 5)',
      },
    ]);
    // Still crashing: no second Event. Fixed: Degraded clears with a Recovered Event.
    await reconcile(deps, key);
    expect(events.list.filter((e) => e.type === 'Warning')).toHaveLength(1);
    await cluster.delete({ apiVersion: 'v1', kind: 'Pod', namespace: 'ns', name: 'p-stratum-abc' });
    await reconcile(deps, key);
    pool = await getPool();
    expect(cond(pool, 'Degraded')).toMatchObject({ status: 'False', reason: 'AsExpected' });
    expect(events.list.map((e) => e.reason)).toContain('Recovered');
  });

  it('follows spec.stratum.replicas (the scale subresource) touching only the stratum Deployment', async () => {
    createPool();
    await reconcile(deps, key);
    const pool = await getPool();
    const n = cluster.writes.length;
    await cluster.mergePatch(poolRef, { spec: { stratum: { replicas: 5 } } });
    cluster.objects.get(
      '/apis/mining.eaglepool.dev/v1alpha1/namespaces/ns/miningpools/p',
    )!.metadata.generation = 2;
    await reconcile(deps, key);
    expect((await get('Deployment', 'p-stratum')).spec.replicas).toBe(5);
    expect(cluster.writes.slice(n + 1)).toEqual(['apply Deployment/p-stratum', 'apply MiningPool/p/status']);
    expect(cond(await getPool(), 'Ready')!.observedGeneration).toBe(2);
    expect(pool.metadata.generation).toBe(1);
  });

  it('rolls the stateful children one at a time: the next template only once the previous set settled', async () => {
    createPool();
    await reconcile(deps, key);
    await markWorkloadsReady();
    await reconcile(deps, key);
    const image = async (c: string) =>
      (await get('StatefulSet', `p-${c}`)).spec.template.spec.containers[0].image as string;
    const images = async () => Promise.all(['ckb', 'kafka', 'redis'].map(image));
    const [ckb0, kafka0, redis0] = await images();
    await cluster.mergePatch(poolRef, {
      spec: {
        ckb: { managed: { image: 'nervos/ckb:v9' } },
        kafka: { managed: { image: 'apache/kafka:9' } },
        redis: { managed: { image: 'redis:9' } },
      },
    });

    const first = await reconcile(deps, key);
    expect(await images()).toEqual(['nervos/ckb:v9', kafka0, redis0]);
    expect(first.requeueAfterMs).toBe(10_000);
    // The node's new generation is not rolled out yet: Kafka and Redis keep waiting.
    await reconcile(deps, key);
    expect(await images()).toEqual(['nervos/ckb:v9', kafka0, redis0]);
    await markWorkloadsReady();
    await reconcile(deps, key);
    expect(await images()).toEqual(['nervos/ckb:v9', 'apache/kafka:9', redis0]);
    await markWorkloadsReady();
    const last = await reconcile(deps, key);
    expect(await images()).toEqual(['nervos/ckb:v9', 'apache/kafka:9', 'redis:9']);
    expect(last.requeueAfterMs).not.toBe(10_000);
    expect(ckb0).not.toBe('nervos/ckb:v9');
  });

  it('deletes a not-ready StatefulSet pod of an outdated revision (OrderedReady would wait for it forever)', async () => {
    createPool();
    await reconcile(deps, key);
    await markWorkloadsReady();
    const set = cluster.objects.get('/apis/apps/v1/namespaces/ns/statefulsets/p-kafka')!;
    set.status = { ...(set.status as object), currentRevision: 'p-kafka-old', updateRevision: 'p-kafka-new' };
    const pod = (name: string, set: string, revision: string, ready: boolean) =>
      cluster.seed({
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: {
          name,
          namespace: 'ns',
          labels: {
            'app.kubernetes.io/name': 'eaglepool',
            'app.kubernetes.io/instance': 'p',
            'app.kubernetes.io/component': set.slice(2),
            'controller-revision-hash': revision,
          },
          ownerReferences: [
            { apiVersion: 'apps/v1', kind: 'StatefulSet', name: set, uid: 'u', controller: true },
          ],
        },
        status: { phase: 'Running', conditions: [{ type: 'Ready', status: ready ? 'True' : 'False' }] },
      } as any);
    pod('p-kafka-0', 'p-kafka', 'p-kafka-old', false);
    pod('p-kafka-1', 'p-kafka', 'p-kafka-old', true); // ready: the controller's own rollout replaces it
    pod('p-kafka-2', 'p-kafka', 'p-kafka-new', false); // already the new revision
    pod('p-redis-0', 'p-redis', 'p-redis-old', false); // its set is not mid-update
    await reconcile(deps, key);
    const left = (await cluster.list<any>({ apiVersion: 'v1', kind: 'Pod', namespace: 'ns' })).items;
    expect(left.map((p) => p.metadata.name).sort()).toEqual(['p-kafka-1', 'p-kafka-2', 'p-redis-0']);
    expect(events.list.filter((e) => e.reason === 'OutdatedPodDeleted').map((e) => e.note)).toEqual([
      expect.stringContaining('p-kafka-0'),
    ]);
  });

  it('reports a field held by another manager instead of fighting it', async () => {
    cluster.seed(
      {
        apiVersion: 'v1',
        kind: 'Service',
        metadata: { name: 'p-stratum', namespace: 'ns' },
        spec: { type: 'NodePort' },
      } as any,
      'kubectl',
    );
    createPool();
    await reconcile(deps, key);
    const pool = await getPool();
    expect(cond(pool, 'Degraded')).toMatchObject({ status: 'True', reason: 'ApplyConflict' });
    expect(cond(pool, 'Degraded')!.message).toContain('.spec.type managed by "kubectl"');
    expect(cond(pool, 'Ready')).toMatchObject({ status: 'False', reason: 'ApplyConflict' });
    expect((await get('Service', 'p-stratum')).spec.type).toBe('NodePort');
    expect(events.list.find((e) => e.type === 'Warning')?.reason).toBe('ApplyConflict');
    // Another pass neither fights nor repeats the Event.
    const n = cluster.writes.length;
    await reconcile(deps, key);
    expect(cluster.writes.length).toBe(n);
    expect(events.list.filter((e) => e.type === 'Warning')).toHaveLength(1);
  });

  it('never overwrites an existing Noise Secret', async () => {
    const G = '79be667ef9dcbbac55a06295ce870b07029bfcdb2dce28d959f2815b16f81798'; // a valid x-only key
    cluster.seed({
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 'p-noise', namespace: 'ns' },
      data: { 'authority-public-key': Buffer.from(G).toString('base64') },
    } as any);
    createPool();
    await reconcile(deps, key);
    expect((await get('Secret', 'p-noise')).data['authority-public-key']).toBe(
      Buffer.from(G).toString('base64'),
    );
    expect(decodeAuthorityPublicKey((await getPool()).status!.noiseAuthorityPublicKey!)).toEqual(
      Uint8Array.from(Buffer.from(G, 'hex')),
    );
    expect(cluster.writes.filter((w) => w.includes('Secret/p-noise'))).toEqual([]);
  });

  it('prunes children of switched-off features', async () => {
    createPool({ translator: { enabled: true } });
    await reconcile(deps, key);
    expect(await get('Deployment', 'p-translator')).toBeDefined();
    await cluster.mergePatch(poolRef, { spec: { translator: { enabled: false } } });
    await reconcile(deps, key);
    expect(await get('Deployment', 'p-translator')).toBeUndefined();
    expect(await get('Service', 'p-translator')).toBeUndefined();
  });

  for (const policy of ['Retain', 'Delete'] as const) {
    it(`on delete honours pvcRetentionPolicy=${policy}`, async () => {
      createPool({ pvcRetentionPolicy: policy });
      await reconcile(deps, key);
      const pvc = {
        apiVersion: 'v1',
        kind: 'PersistentVolumeClaim',
        metadata: {
          name: 'data-p-ckb-0',
          namespace: 'ns',
          labels: {
            'app.kubernetes.io/name': 'eaglepool',
            'app.kubernetes.io/instance': 'p',
            'app.kubernetes.io/component': 'ckb',
          },
        },
      };
      cluster.seed(pvc as any, 'kube-controller-manager');
      await cluster.delete(poolRef);
      expect((await getPool()).metadata.deletionTimestamp).toBeDefined();
      const result = await reconcile(deps, key);
      expect(result.deleted).toBe(true);
      expect(await getPool()).toBeUndefined();
      const keptPvc = await get('PersistentVolumeClaim', 'data-p-ckb-0');
      const secret = await get('Secret', 'p-noise');
      if (policy === 'Retain') {
        expect(keptPvc).toBeDefined();
        expect(secret.metadata.ownerReferences).toBeUndefined();
        expect(events.list.at(-1)?.reason).toBe('DataRetained');
      } else {
        expect(keptPvc).toBeUndefined();
        expect(secret).toBeUndefined();
        expect(events.list.at(-1)?.reason).toBe('DataDeleted');
      }
    });
  }

  it('re-adopts the retained Secret when the pool comes back, keeping its keys', async () => {
    createPool();
    await reconcile(deps, key);
    const keys = (await get('Secret', 'p-noise')).data;
    await cluster.delete(poolRef);
    await reconcile(deps, key);
    cluster.seed({
      ...userPool('p', 'ns'),
      metadata: { name: 'p', namespace: 'ns', uid: 'second-uid' },
    } as any);
    await reconcile(deps, key);
    const secret = await get('Secret', 'p-noise');
    expect(secret.data).toEqual(keys);
    expect(secret.metadata.ownerReferences[0].uid).toBe('second-uid');
  });

  it('fills Height and Hashrate from the share processor once it is available, writing only on change', async () => {
    createPool();
    let stats = { tipNumber: 100, hashrate: '1.5 MH/s' };
    let calls = 0;
    deps.poolStats = async () => {
      calls++;
      return stats;
    };
    await reconcile(deps, key);
    expect(calls).toBe(0); // share processor not available yet
    await markWorkloadsReady();
    const ready = await reconcile(deps, key);
    expect(ready.requeueAfterMs).toBe(60_000);
    expect((await getPool()).status).toMatchObject({ chain: { tipNumber: 100 }, hashrate: '1.5 MH/s' });
    const n = cluster.writes.length;
    await reconcile(deps, key);
    expect(cluster.writes.length).toBe(n);
    stats = { tipNumber: 101, hashrate: '1.5 MH/s' };
    await reconcile(deps, key);
    expect(cluster.writes.slice(n)).toEqual(['apply MiningPool/p/status']);
    deps.poolStats = async () => undefined; // unreachable: keep the last values
    await reconcile(deps, key);
    expect((await getPool()).status).toMatchObject({ chain: { tipNumber: 101 }, hashrate: '1.5 MH/s' });
  });

  it('returns quietly for a pool that does not exist', async () => {
    expect(await reconcile(deps, key)).toEqual({ writes: 0, deleted: true });
  });
});
