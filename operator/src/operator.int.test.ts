import { REPORTING_CONTROLLER } from './controller/events.js';
/**
 * The operator against a real kube-apiserver + etcd (e2e/infra harness). There is no
 * controller-manager: Deployments never get pods and garbage collection never runs, so the
 * tests play the Deployment controller by writing status through the status subresource.
 */
/* eslint-disable @typescript-eslint/no-explicit-any -- objects read back from the API server */
import { readFileSync } from 'node:fs';
import yaml from 'js-yaml';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { API_VERSION, KIND, type MiningPool } from './api/types.js';
import { renderChildren } from './render/index.js';
import { withDefaults } from './api/defaults.js';
import { KubeApiError, KubeRest, type KubeObject } from './kube/rest.js';
import { resourcePath } from './kube/resources.js';
import { decodeAuthorityPublicKey } from '../../pool/src/sv2/noise/keys.js';
import { SAMPLE_PAYOUT } from '../test/sample.js';
import {
  installCrd,
  kubeEnv,
  newNamespace,
  startManager,
  waitFor,
  type KubeEnv,
  type TestManager,
} from '../test/kube-env.js';

let env: KubeEnv;
let running: TestManager[] = [];

beforeAll(async () => {
  env = kubeEnv();
  await installCrd(env.admin);
});
afterEach(async () => {
  await Promise.all(running.map((m) => m.stop()));
  running = [];
});
afterAll(async () => {
  await Promise.all(running.map((m) => m.stop()));
});

const start = async (namespace: string) => {
  const m = await startManager(env.kc, { namespace });
  running.push(m);
  return m;
};

const poolObject = (namespace: string, name: string, spec: Record<string, unknown> = {}) =>
  ({
    apiVersion: API_VERSION,
    kind: KIND,
    metadata: { name, namespace },
    spec: { network: 'devnet', payout: { ...SAMPLE_PAYOUT }, ...spec },
  }) as unknown as KubeObject;

const getPool = (namespace: string, name: string) =>
  env.admin.get<MiningPool>({ apiVersion: API_VERSION, kind: KIND, namespace, name });
const condition = (pool: MiningPool | undefined, type: string) =>
  pool?.status?.conditions?.find((c) => c.type === type);

/** Every object in the namespace that the operator may have written, with its resourceVersion. */
async function versions(namespace: string): Promise<Record<string, string>> {
  const kinds = [
    ['v1', 'ConfigMap'],
    ['v1', 'Service'],
    ['v1', 'Secret'],
    ['apps/v1', 'Deployment'],
    ['apps/v1', 'StatefulSet'],
    ['networking.k8s.io/v1', 'NetworkPolicy'],
    ['policy/v1', 'PodDisruptionBudget'],
    ['autoscaling/v2', 'HorizontalPodAutoscaler'],
    [API_VERSION, KIND],
  ] as const;
  const out: Record<string, string> = {};
  for (const [apiVersion, kind] of kinds) {
    for (const o of (await env.admin.list({ apiVersion, kind, namespace })).items)
      out[`${kind}/${o.metadata.name}`] = o.metadata.resourceVersion!;
  }
  return out;
}

/** Plays the Deployment controller: all desired replicas exist and are available. */
async function markDeploymentReady(namespace: string, name: string): Promise<void> {
  const d = (await env.admin.get<any>({ apiVersion: 'apps/v1', kind: 'Deployment', namespace, name }))!;
  const n = d.spec.replicas;
  await env.admin.mergePatch(
    { apiVersion: 'apps/v1', kind: 'Deployment', namespace, name },
    {
      status: {
        observedGeneration: d.metadata.generation,
        replicas: n,
        readyReplicas: n,
        availableReplicas: n,
        updatedReplicas: n,
      },
    },
    'status',
  );
}

describe('operator on a real API server', () => {
  it('creates every child with owner references, the Noise Secret, status and an Event', async () => {
    const ns = await newNamespace(env.admin, 'op-create');
    await start(ns);
    const created = await env.admin.apply(
      poolObject(ns, 'p1', {
        translator: { enabled: true },
        stratum: { autoscaling: { enabled: true }, resources: { requests: { cpu: '250m' } } },
      }),
      { force: false },
    );
    const pool = await waitFor('status', async () => {
      const p = await getPool(ns, 'p1');
      return condition(p, 'Ready') ? p : undefined;
    });
    const expected = renderChildren(withDefaults(pool!));
    for (const child of expected) {
      const got = await env.admin.get({
        apiVersion: child.apiVersion,
        kind: child.kind,
        namespace: ns,
        name: child.metadata.name,
      });
      expect(got, `${child.kind}/${child.metadata.name}`).toBeDefined();
      expect(got!.metadata.ownerReferences).toEqual([
        {
          apiVersion: API_VERSION,
          kind: KIND,
          name: 'p1',
          uid: created.metadata.uid,
          controller: true,
          blockOwnerDeletion: true,
        },
      ]);
      expect(
        got!.metadata.managedFields?.some(
          (m) => m.manager === 'eaglepool-operator' && m.operation === 'Apply',
        ),
      ).toBe(true);
    }
    const stratum = (await env.admin.get<any>({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      namespace: ns,
      name: 'p1-stratum',
    }))!;
    expect(stratum.spec.template.spec.containers[0].args).toEqual(['pool', 'stratum']);
    const hpa = (await env.admin.get<any>({
      apiVersion: 'autoscaling/v2',
      kind: 'HorizontalPodAutoscaler',
      namespace: ns,
      name: 'p1-stratum',
    }))!;
    expect(hpa.spec.scaleTargetRef).toEqual({ apiVersion: API_VERSION, kind: KIND, name: 'p1' });
    const secret = (await env.admin.get<any>({
      apiVersion: 'v1',
      kind: 'Secret',
      namespace: ns,
      name: 'p1-noise',
    }))!;
    expect(Object.keys(secret.data).sort()).toEqual([
      'authority-public-key',
      'authority-secret-key',
      'static-public-key',
      'static-secret-key',
    ]);

    expect(pool!.metadata.finalizers).toEqual(['mining.eaglepool.dev/retention']);
    expect(pool!.status).toMatchObject({
      observedGeneration: 1,
      stratum: {
        replicas: 0,
        readyReplicas: 0,
        selector:
          'app.kubernetes.io/name=eaglepool,app.kubernetes.io/instance=p1,app.kubernetes.io/component=stratum',
      },
      endpoints: {
        stratum: `p1-stratum.${ns}.svc:34254`,
        translator: `p1-translator.${ns}.svc:3333`,
        ckbRpc: `http://p1-ckb.${ns}.svc:8114`,
      },
    });
    expect(decodeAuthorityPublicKey(pool!.status!.noiseAuthorityPublicKey!)).toEqual(
      Uint8Array.from(
        Buffer.from(Buffer.from(secret.data['authority-public-key'], 'base64').toString(), 'hex'),
      ),
    );
    expect(condition(pool, 'Ready')).toMatchObject({
      status: 'False',
      reason: 'ComponentsNotReady',
      observedGeneration: 1,
    });
    const events = (
      await env.admin.list<any>({ apiVersion: 'events.k8s.io/v1', kind: 'Event', namespace: ns })
    ).items;
    expect(events.map((e) => e.reason)).toContain('NoiseKeysGenerated');
    expect(events[0].eventTime).toMatch(/\.\d{6}Z$/);
  });

  it('scales through the /scale subresource: the stratum Deployment follows and status reports it', async () => {
    const ns = await newNamespace(env.admin, 'op-scale');
    await start(ns);
    await env.admin.apply(poolObject(ns, 'p2'), { force: false });
    const scaleRef = { apiVersion: API_VERSION, kind: KIND, namespace: ns, name: 'p2' };
    await waitFor('status', async () => condition(await getPool(ns, 'p2'), 'Ready'));
    await env.admin.mergePatch(scaleRef, { spec: { replicas: 4 } }, 'scale');
    const dep = await waitFor('stratum Deployment at 4', async () => {
      const d = await env.admin.get<any>({
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        namespace: ns,
        name: 'p2-stratum',
      });
      return d?.spec.replicas === 4 ? d : undefined;
    });
    expect(dep.spec.replicas).toBe(4);
    await markDeploymentReady(ns, 'p2-stratum');
    const scale = await waitFor('scale status 4', async () => {
      const s = await env.admin.get<any>(scaleRef, 'scale');
      return s?.status?.replicas === 4 ? s : undefined;
    });
    expect(scale.status.selector).toBe(
      'app.kubernetes.io/name=eaglepool,app.kubernetes.io/instance=p2,app.kubernetes.io/component=stratum',
    );
    const pool = (await getPool(ns, 'p2'))!;
    expect(pool.status!.stratum).toMatchObject({ replicas: 4, readyReplicas: 4 });
    expect(condition(pool, 'Ready')!.observedGeneration).toBe(pool.metadata.generation);
  });

  it('rejects invalid pools with the CEL messages', async () => {
    const ns = await newNamespace(env.admin, 'op-cel');
    const reject = async (obj: KubeObject) => {
      const err = await env.admin.apply(obj, { force: false }).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(err).toBeInstanceOf(KubeApiError);
      expect((err as KubeApiError).status).toBe(422);
      return (err as KubeApiError).message;
    };
    expect(
      await reject(
        poolObject(ns, 'both', { kafka: { external: { brokersSecretRef: { name: 'k' } }, managed: {} } }),
      ),
    ).toContain('kafka.external and kafka.managed are mutually exclusive');
    expect(
      await reject(
        poolObject(ns, 'minmax', {
          stratum: { autoscaling: { enabled: true, minReplicas: 5, maxReplicas: 2 } },
        }),
      ),
    ).toContain('stratum.autoscaling.minReplicas must be less than or equal to maxReplicas');
    expect(
      await reject(
        poolObject(ns, 'hpa', {
          stratum: { autoscaling: { enabled: true }, resources: { requests: { memory: '256Mi' } } },
        }),
      ),
    ).toContain('stratum.autoscaling.enabled needs stratum.resources.requests.cpu');
    await env.admin.apply(
      poolObject(ns, 'hpa-ok', {
        stratum: { autoscaling: { enabled: true }, resources: { requests: { cpu: '500m' } } },
      }),
      { force: false },
    );
    expect(await reject(poolObject(ns, 'net', { network: 'regtest' }))).toContain(
      'Unsupported value: "regtest"',
    );
    expect(await reject(poolObject(ns, 'lock', { payout: { codeHash: '0x12', args: '0x' } }))).toContain(
      'spec.payout.codeHash',
    );
    await env.admin.apply(poolObject(ns, 'ok'), { force: false });
    expect(await reject(poolObject(ns, 'ok', { network: 'mainnet' }))).toContain('network is immutable');
    expect(
      await reject(poolObject(ns, 'ok', { ckb: { managed: { storage: { size: '500Gi' } } } })),
    ).toContain('chain storage (size, storageClassName) cannot change after creation');
    expect(await reject(poolObject(ns, 'replicas', { stratum: { replicas: 257 } }))).toContain(
      'spec.stratum.replicas',
    );
    // The samples shipped for users validate.
    const kindSample = yaml.load(readFileSync('e2e/kind/miningpool-devnet.yaml', 'utf8')) as KubeObject;
    await env.admin.apply(
      { ...kindSample, metadata: { ...kindSample.metadata, namespace: ns } },
      { force: false, dryRun: true },
    );
    const stored = (await getPool(ns, 'ok'))!;
    expect(stored.spec.stratum.replicas).toBe(2); // defaults applied by the API server
    expect(stored.spec.kafka.managed?.image).toBe('apache/kafka:4.4.0');
  });

  for (const policy of ['Retain', 'Delete'] as const) {
    it(`on delete the finalizer honours pvcRetentionPolicy=${policy}`, async () => {
      const ns = await newNamespace(env.admin, `op-del-${policy.toLowerCase()}`);
      await start(ns);
      await env.admin.apply(poolObject(ns, 'p3', { pvcRetentionPolicy: policy }), { force: false });
      await waitFor(
        'finalizer + secret',
        async () =>
          (await getPool(ns, 'p3'))?.status &&
          (await env.admin.get({ apiVersion: 'v1', kind: 'Secret', namespace: ns, name: 'p3-noise' })),
      );
      // The StatefulSet controller would have created this from the volumeClaimTemplate.
      const pvcRef = {
        apiVersion: 'v1',
        kind: 'PersistentVolumeClaim',
        namespace: ns,
        name: 'data-p3-ckb-0',
      };
      await env.admin.create({
        ...pvcRef,
        metadata: {
          name: pvcRef.name,
          namespace: ns,
          labels: {
            'app.kubernetes.io/name': 'eaglepool',
            'app.kubernetes.io/instance': 'p3',
            'app.kubernetes.io/component': 'ckb',
          },
        },
        spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } },
      });
      await env.admin.delete({ apiVersion: API_VERSION, kind: KIND, namespace: ns, name: 'p3' });
      await waitFor('pool gone', async () => (await getPool(ns, 'p3')) === undefined);
      const pvc = await env.admin.get(pvcRef);
      const secret = await env.admin.get({
        apiVersion: 'v1',
        kind: 'Secret',
        namespace: ns,
        name: 'p3-noise',
      });
      const events = (
        await env.admin.list<any>({ apiVersion: 'events.k8s.io/v1', kind: 'Event', namespace: ns })
      ).items.map((e) => e.reason);
      if (policy === 'Retain') {
        expect(pvc).toBeDefined();
        expect(secret!.metadata.ownerReferences).toBeUndefined();
        expect(events).toContain('DataRetained');
      } else {
        // A PVC with the kubernetes.io/pvc-protection finalizer is only marked for deletion.
        expect(pvc === undefined || pvc.metadata.deletionTimestamp !== undefined).toBe(true);
        expect(secret).toBeUndefined();
        expect(events).toContain('DataDeleted');
      }
    });
  }

  it('restarting the operator writes nothing (resourceVersions unchanged)', async () => {
    const ns = await newNamespace(env.admin, 'op-restart');
    const first = await start(ns);
    await env.admin.apply(poolObject(ns, 'p4', { translator: { enabled: true } }), { force: false });
    await waitFor('status', async () => condition(await getPool(ns, 'p4'), 'Ready'));
    await first.manager.idle();
    await first.stop();
    running = running.filter((m) => m !== first);
    const before = await versions(ns);
    expect(Object.keys(before).length).toBeGreaterThan(20);

    const second = await start(ns);
    second.manager.resync();
    await second.manager.idle();
    expect(
      await second.manager.metrics.reconciles
        .get()
        .then((m) => m.values.find((v) => v.labels.result === 'success')?.value),
    ).toBeGreaterThan(0);
    const unchanged = await second.manager.metrics.childSyncs
      .get()
      .then((m) => m.values.filter((v) => v.labels.action !== 'unchanged' && v.value > 0));
    expect(unchanged).toEqual([]);
    expect(await versions(ns)).toEqual(before);
  });

  it('recreates a child somebody deleted', async () => {
    const ns = await newNamespace(env.admin, 'op-heal');
    await start(ns);
    await env.admin.apply(poolObject(ns, 'p7'), { force: false });
    const ref = { apiVersion: 'v1', kind: 'ConfigMap', namespace: ns, name: 'p7-config' };
    const before = await waitFor<KubeObject>('config', async () => env.admin.get(ref));
    await env.admin.delete(ref);
    const after = await waitFor('config back', async () => {
      const c = await env.admin.get(ref);
      return c && c.metadata.uid !== before.metadata.uid ? c : undefined;
    });
    expect(after.metadata.ownerReferences?.[0]?.name).toBe('p7');
  });

  it('reports a conflict with another field manager instead of fighting it', async () => {
    const ns = await newNamespace(env.admin, 'op-conflict');
    // Somebody else's Service with the stratum Service's name, applied by "kubectl".
    const other = new KubeRest(env.kc, 'kubectl');
    await other.apply(
      {
        apiVersion: 'v1',
        kind: 'Service',
        metadata: { name: 'p5-stratum', namespace: ns },
        spec: { type: 'NodePort', ports: [{ name: 'x', port: 1234 }] },
      },
      { force: false },
    );
    await start(ns);
    await env.admin.apply(poolObject(ns, 'p5'), { force: false });
    const pool = await waitFor('Degraded', async () => {
      const p = await getPool(ns, 'p5');
      return condition(p, 'Degraded')?.status === 'True' ? p : undefined;
    });
    expect(condition(pool, 'Degraded')).toMatchObject({ reason: 'ApplyConflict' });
    expect(condition(pool, 'Degraded')!.message).toContain('managed by "kubectl"');
    const svc = (await env.admin.get<any>({
      apiVersion: 'v1',
      kind: 'Service',
      namespace: ns,
      name: 'p5-stratum',
    }))!;
    expect(svc.spec.type).toBe('NodePort');
    expect(svc.metadata.managedFields.map((m: any) => m.manager)).toEqual(['kubectl']);
    const warnings = (
      await env.admin.list<any>({ apiVersion: 'events.k8s.io/v1', kind: 'Event', namespace: ns })
    ).items.filter((e) => e.type === 'Warning' && e.reportingController === REPORTING_CONTROLLER);
    // Only the operator's own Events: the API server's repair loop may warn ClusterIPNotAllocated.
    expect(warnings.map((e) => e.reason)).toEqual(['ApplyConflict']);
    // The rest of the pool is there.
    expect(
      await env.admin.get({ apiVersion: 'apps/v1', kind: 'Deployment', namespace: ns, name: 'p5-stratum' }),
    ).toBeDefined();
  });

  it('elects one leader among two operator replicas through a Lease', async () => {
    const ns = await newNamespace(env.admin, 'op-lease');
    const a = await startManager(env.kc, {
      namespace: ns,
      leaderElection: true,
      leaseNamespace: ns,
      identity: 'a',
    });
    running.push(a);
    await waitFor('a leads', async () => a.manager.isLeader);
    const b = await startManager(env.kc, {
      namespace: ns,
      leaderElection: true,
      leaseNamespace: ns,
      identity: 'b',
    });
    running.push(b);
    await env.admin.apply(poolObject(ns, 'p6'), { force: false });
    await waitFor('status', async () => condition(await getPool(ns, 'p6'), 'Ready'));
    expect([a.manager.isLeader, b.manager.isLeader]).toEqual([true, false]);
    const lease = await env.admin.get<any>({
      apiVersion: 'coordination.k8s.io/v1',
      kind: 'Lease',
      namespace: ns,
      name: 'eaglepool-operator',
    });
    expect(lease.spec).toMatchObject({ holderIdentity: 'a', leaseDurationSeconds: 15 });
    expect(
      resourcePath({ apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', namespace: ns, name: 'x' }),
    ).toBe(`/apis/coordination.k8s.io/v1/namespaces/${ns}/leases/x`);
  });
});
