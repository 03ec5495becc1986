/**
 * The pool on a real single-node Kubernetes cluster (e2e/infra/harness/cluster.ts): `helm install`
 * the chart, `kubectl apply` a devnet MiningPool whose children run the locally built images, every
 * child Ready; then an SV2 miner and a V1 miner on the host, outside the pod network, mine through
 * NodePorts (the stratum and translator Services) and find blocks the chain accepts, and the share processor (which reads only Kafka)
 * credits each worker.
 */
import { setPriority } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { Sv2Miner } from '../../pool/src/miner/sv2-miner.js';
import { V1Miner } from '../../pool/src/miner/v1-client.js';
import { cluster, diagnostics, helm, kubectl, kubectlJson, serviceGet, waitFor } from './kube.js';

const SYSTEM_NS = 'eaglepool-system';
const NS = 'miners';
const POOL = 'devnet';
const READY_TIMEOUT = 15 * 60_000;

interface Condition {
  type: string;
  status: string;
  reason?: string;
  message?: string;
}
interface PoolStatus {
  conditions?: Condition[];
  chain?: { tipNumber?: string | number };
  hashrate?: string;
  noiseAuthorityPublicKey?: string;
  stratum?: { replicas?: number; readyReplicas?: number };
}
interface Workload {
  metadata: { name: string };
  spec: { replicas?: number };
  status: { readyReplicas?: number; availableReplicas?: number };
}

function miningPool(images: ReturnType<typeof cluster.images>): Record<string, unknown> {
  return {
    apiVersion: 'mining.eaglepool.dev/v1alpha1',
    kind: 'MiningPool',
    metadata: { name: POOL, namespace: NS },
    spec: {
      network: 'devnet',
      payout: {
        codeHash: '0x9bd7e06f3ecf4be0f2fcd2188b23f1b9fcc88e5d4b65a8637b17723bbda3cce8',
        hashType: 'type',
        args: '0xc8328aabcd9b9e8e64fbc566c4385c3bdeb219d7',
      },
      ckb: { managed: { image: images.ckb.image, storage: { size: '1Gi' } } },
      kafka: { managed: { image: images.kafka.image, storage: { size: '1Gi' }, partitions: 3 } },
      redis: { managed: { image: images.redis.image, storage: { size: '1Gi' } } },
      stratum: {
        replicas: 1,
        service: { type: 'NodePort' },
        vardiff: { targetShareIntervalSeconds: 2 },
      },
      translator: { enabled: true, replicas: 1, service: { type: 'NodePort' } },
      images: { pool: images.pool.image, pullPolicy: 'IfNotPresent' },
      pvcRetentionPolicy: 'Delete',
    },
  };
}

interface UserStats {
  user: string;
  shares: number;
  workers: { worker: string; shares: number }[];
}
const userStats = (user: string): Promise<UserStats | undefined> =>
  serviceGet<UserStats>(NS, `${POOL}-shareprocessor`, 'http', `/api/workers/${user}`).catch(() => undefined);

const pool = (): Promise<{ status?: PoolStatus }> => kubectlJson(['-n', NS, 'get', 'miningpool', POOL]);
const condition = (status: PoolStatus | undefined, type: string): Condition | undefined =>
  status?.conditions?.find((c) => c.type === type);

async function nodePort(service: string): Promise<number> {
  const svc = await kubectlJson<{ spec: { ports: { nodePort?: number }[] } }>([
    '-n',
    NS,
    'get',
    'service',
    service,
  ]);
  const port = svc.spec.ports[0]?.nodePort;
  if (!port) throw new Error(`service ${service} has no nodePort`);
  return port;
}

describe('the pool on a single-node cluster', () => {
  const miners: (Sv2Miner | V1Miner)[] = [];
  let authorityKey = '';
  const startSv2 = async (port: number, user: string): Promise<Sv2Miner> => {
    const m = await Sv2Miner.start({
      host: cluster.nodeIp(),
      port,
      authorityPublicKey: authorityKey,
      user,
      threads: 1,
      mode: 'sv2-standard',
    });
    miners.push(m);
    return m;
  };
  let failed = false;

  beforeAll(async () => {
    // The miners' hashing threads (created later, by this thread) inherit nice 10: a miner's hardware
    // is not the pool's node, and at nice 0 they starved the pods they mine on (liveness kills).
    setPriority(10);
    const images = cluster.images();
    const [repository, tag] = [
      images.pool.image.replace(/:[^:/]+$/, ''),
      images.pool.image.split(':').pop()!,
    ];
    await helm([
      'upgrade',
      '--install',
      'eaglepool',
      'charts/eaglepool',
      '--namespace',
      SYSTEM_NS,
      '--create-namespace',
      '--set',
      `image.repository=${repository}`,
      '--set',
      `image.tag=${tag}`,
      '--set',
      'image.pullPolicy=IfNotPresent',
      '--wait',
      '--timeout',
      '10m',
    ]);
    await kubectl(['create', 'namespace', NS]);
    await kubectl(['apply', '-f', '-'], JSON.stringify(miningPool(images)));
  });

  afterEach((ctx) => {
    if (ctx.task.result?.state === 'fail') failed = true;
  });

  afterAll(async () => {
    await Promise.all(miners.map((m) => m.stop()));
    if (failed) process.stderr.write(`${await diagnostics([SYSTEM_NS, NS])}\n`);
  });

  it('helm install + a devnet MiningPool: every child Ready, shown by kubectl get miningpools', async () => {
    const status = await waitFor(
      'MiningPool devnet Ready=True',
      async () => {
        const { status } = await pool();
        return condition(status, 'Ready')?.status === 'True' && status;
      },
      READY_TIMEOUT,
      5000,
    );
    expect(condition(status, 'Ready')?.reason).toBe('PoolReady');
    expect(status.noiseAuthorityPublicKey).toMatch(/^[1-9A-HJ-NP-Za-km-z]{40,}$/);

    const sets = await kubectlJson<{ items: Workload[] }>(['-n', NS, 'get', 'statefulsets']);
    expect(sets.items.map((s) => s.metadata.name).sort()).toEqual([
      `${POOL}-ckb`,
      `${POOL}-kafka`,
      `${POOL}-redis`,
    ]);
    for (const s of sets.items) expect(s.status.readyReplicas, s.metadata.name).toBe(1);
    const deploys = await kubectlJson<{ items: Workload[] }>(['-n', NS, 'get', 'deployments']);
    expect(deploys.items.map((d) => d.metadata.name).sort()).toEqual(
      ['blockmaker', 'jobmaker', 'shareprocessor', 'stratum', 'translator'].map((c) => `${POOL}-${c}`),
    );
    for (const d of deploys.items) expect(d.status.availableReplicas, d.metadata.name).toBe(d.spec.replicas);
    // Each data volume was really provisioned and bound.
    const pvcs = await kubectlJson<{ items: { metadata: { name: string }; status: { phase: string } }[] }>([
      '-n',
      NS,
      'get',
      'pvc',
    ]);
    expect(pvcs.items.map((p) => [p.metadata.name, p.status.phase]).sort()).toEqual(
      ['ckb', 'kafka', 'redis'].map((c) => [`data-${POOL}-${c}-0`, 'Bound']),
    );
    // Events say what happened.
    const events = await kubectl(['-n', NS, 'get', 'events', '-o', 'jsonpath={.items[*].reason}']);
    expect(events.split(' ')).toEqual(expect.arrayContaining(['NoiseKeysGenerated', 'PoolReady']));
    // The printer columns: READY True and the stratum replicas.
    const table = await kubectl(['-n', NS, 'get', 'miningpools']);
    expect(table).toMatch(/^NAME\s+READY\s+STRATUM\s+HEIGHT\s+(\S+\s+)*HASHRATE\s+AGE/m);
    expect(table).toMatch(new RegExp(`^${POOL}\\s+True\\s+1\\s`, 'm'));
  });

  it('an SV2 and a V1 miner outside the pod network find blocks; the share processor credits each worker', async () => {
    const { status } = await pool();
    const host = cluster.nodeIp();
    authorityKey = status!.noiseAuthorityPublicKey!;
    const sv2 = await startSv2(await nodePort(`${POOL}-stratum`), 'alice.sv2rig');
    const v1 = await V1Miner.start({
      host,
      port: await nodePort(`${POOL}-translator`),
      user: 'bob.v1rig',
      threads: 1,
      reconnect: true,
    });
    miners.push(v1);

    await waitFor(
      'both miners have accepted shares and found a block',
      async () => {
        const [a, b] = [sv2.snapshot(), v1.snapshot()];
        return a.accepted > 0 && b.accepted > 0 && a.blocks + b.blocks > 0 && { a, b };
      },
      10 * 60_000,
    );
    // The chain accepted blocks: the pool's view of the tip moved past genesis and lists blocks found.
    const blocks = await waitFor(
      'the share processor lists a block found by the pool',
      async () => {
        const r = await serviceGet<{ blocks: { number: string | number }[] }>(
          NS,
          `${POOL}-shareprocessor`,
          'http',
          '/api/blocks',
        );
        return r.blocks.length > 0 && r.blocks;
      },
      5 * 60_000,
    );
    expect(Number(blocks[0]!.number)).toBeGreaterThan(0);
    // Shares went stratum -> Kafka -> share processor: each worker is credited under its own name.
    for (const [user, worker] of [
      ['alice', 'sv2rig'],
      ['bob', 'v1rig'],
    ] as const) {
      const credited = await waitFor(
        `the share processor credits ${user}.${worker}`,
        async () => (await userStats(user))?.workers.find((w) => w.worker === worker && w.shares > 0),
        5 * 60_000,
      );
      expect(credited.shares).toBeGreaterThan(0);
    }
    // kubectl get miningpools shows the height and hashrate the operator read from that API.
    const shown = await waitFor(
      'MiningPool status with chain height and hashrate',
      async () => {
        const { status: s } = await pool();
        return Number(s?.chain?.tipNumber ?? 0) > 0 && s?.hashrate !== undefined && s;
      },
      5 * 60_000,
      5000,
    );
    const table = await kubectl(['-n', NS, 'get', 'miningpools']);
    expect(table).toContain(String(shown.chain!.tipNumber));
    expect(table).toContain(shown.hashrate);
  });

  it('scale to 3 then 1: replicas added, then drained (preStop, Reconnect); no miner refused, every acknowledged share accounted', async () => {
    const port = await nodePort(`${POOL}-stratum`);
    await kubectl(['-n', NS, 'scale', `miningpool/${POOL}`, '--replicas=3']);
    await waitFor(
      'stratum readyReplicas 3 in the MiningPool status',
      async () => (await pool()).status?.stratum?.readyReplicas === 3,
      10 * 60_000,
      5000,
    );
    // Six miners through the NodePort: kube-proxy spreads them over the three replicas.
    const scaled: Sv2Miner[] = [];
    for (let i = 0; i < 6; i++) scaled.push(await startSv2(port, `carol.rig${i}`));
    await waitFor(
      'every scaled-test miner has an accepted share',
      async () => scaled.every((m) => m.snapshot().accepted > 0),
      5 * 60_000,
    );
    await kubectl(['-n', NS, 'scale', `miningpool/${POOL}`, '--replicas=1']);
    await waitFor('one stratum pod left', async () => (await stratumPods()).length === 1, 5 * 60_000, 3000);
    // The miners of the two removed replicas were told to reconnect and mine on the one left.
    const moved = scaled.filter((m) => m.stats.connects > 1);
    expect(moved.length).toBeGreaterThan(0);
    await everyMinerMines(
      [...scaled, ...miners.filter((m) => m instanceof Sv2Miner)],
      'after the scale-down',
    );
    // The drained replicas kept serving through their preStop delay and only then sent Reconnect,
    // once kube-proxy had dropped them: no reconnect attempt was refused.
    expect(scaled.map((m) => m.stats.failedConnects)).toEqual(scaled.map(() => 0));
    await Promise.all(scaled.map((m) => m.stop()));
    miners.splice(0, miners.length, ...miners.filter((m) => !scaled.includes(m as Sv2Miner)));
    // Acknowledged means durable in Kafka: the share processor accounts every one. A miner that
    // closes on Reconnect may not read the answer to a share it sent last: credited, not lost.
    for (const [i, m] of scaled.entries()) {
      const { accepted, submitted } = m.snapshot();
      const accounted = await waitFor(
        `carol.rig${i}: ${accepted} acknowledged shares accounted`,
        async () => {
          const n = (await userStats('carol'))?.workers.find((w) => w.worker === `rig${i}`)?.shares ?? 0;
          return n >= accepted && n;
        },
        3 * 60_000,
      );
      expect(accounted).toBeLessThanOrEqual(submitted);
    }
  });

  it('a force-deleted stratum pod, block maker and operator: the pool recovers by itself, the operator restart re-rolls nothing', async () => {
    const mining = [...miners];
    for (const component of ['stratum', 'blockmaker'] as const) {
      const [victim] = await componentPods(component);
      const started = Date.now();
      await kubectl(['-n', NS, 'delete', 'pod', victim!, '--force', '--grace-period=0']);
      await waitFor(
        `a new ${component} pod Ready`,
        async () => {
          const pods = await componentPodObjects(component);
          return pods.some((p) => p.metadata.name !== victim && isReady(p));
        },
        10 * 60_000,
        3000,
      );
      await everyMinerMines(mining, `after the ${component} pod was force-deleted`);
      await waitFor(
        `a block found after the ${component} pod was force-deleted`,
        async () => blockAcceptedAfter(started),
        10 * 60_000,
        5000,
      );
      recoveries[component] = (Date.now() - started) / 1000;
    }
    // The operator: a new pod takes over and re-applies nothing (every child's hash matches).
    const generations = await workloadGenerations();
    const [operator] = (await operatorPods()).map((p) => p.metadata.name);
    const started = Date.now();
    await kubectl(['-n', SYSTEM_NS, 'delete', 'pod', operator!, '--force', '--grace-period=0']);
    await waitFor(
      'a new operator pod Ready',
      async () => (await operatorPods()).some((p) => p.metadata.name !== operator && isReady(p)),
      10 * 60_000,
      3000,
    );
    recoveries.operator = (Date.now() - started) / 1000;
    // A settling window for its first reconcile: with every hash matching it writes nothing, so
    // there is no event to wait for.
    await sleep(30_000);
    expect(await workloadGenerations()).toEqual(generations);
    expect(condition((await pool()).status, 'Ready')?.status).toBe('True');
    process.stderr.write(`[cluster] recovery after a force delete (s): ${JSON.stringify(recoveries)}\n`);
  });

  it('a spec change rolls only what it must: vardiff rolls stratum alone; a change of every stateful child rolls them one at a time; the pool mines on', async () => {
    const mining = [...miners];
    const before = await workloadGenerations();
    await patchPool({ stratum: { vardiff: { targetShareIntervalSeconds: 3 } } });
    await waitFor(
      'the stratum Deployment rolled out its new template',
      async () => {
        const d = await kubectlJson<WorkloadObject>(['-n', NS, 'get', 'deployment', `${POOL}-stratum`]);
        return (
          d.metadata.generation! > before[`Deployment/${POOL}-stratum`]! &&
          d.status.observedGeneration === d.metadata.generation &&
          d.status.updatedReplicas === d.spec.replicas &&
          d.status.availableReplicas === d.spec.replicas &&
          (d.status.replicas ?? 0) === d.spec.replicas
        );
      },
      10 * 60_000,
      3000,
    );
    const after = await workloadGenerations();
    const changed = Object.keys(after).filter((k) => after[k] !== before[k]);
    expect(changed).toEqual([`Deployment/${POOL}-stratum`]);
    await everyMinerMines(mining, 'after the stratum rollout');

    // New resources for the node, Kafka and Redis at once: three new templates.
    const rolloutStarted = Date.now();
    const resources = { requests: { cpu: '60m', memory: '200Mi' }, limits: { memory: '1Gi' } };
    await patchPool({
      ckb: { managed: { resources } },
      kafka: { managed: { resources: { ...resources, requests: { cpu: '60m', memory: '700Mi' } } } },
      redis: { managed: { resources } },
    });
    const sets = ['ckb', 'kafka', 'redis'].map((c) => `${POOL}-${c}`);
    let mostRollingAtOnce = 0;
    await waitFor(
      'every StatefulSet rolled out its new template',
      async () => {
        const objs = await Promise.all(
          sets.map((name) => kubectlJson<WorkloadObject>(['-n', NS, 'get', 'statefulset', name])),
        );
        const rolling = objs.filter((o) => !settled(o));
        mostRollingAtOnce = Math.max(mostRollingAtOnce, rolling.length);
        return objs.every(
          (o) => o.metadata.generation! > before[`StatefulSet/${o.metadata.name}`]! && settled(o),
        );
      },
      14 * 60_000,
      2000,
    );
    expect(mostRollingAtOnce).toBe(1);
    await waitFor(
      'MiningPool Ready after the stateful rollout',
      async () => condition((await pool()).status, 'Ready')?.status === 'True',
      10 * 60_000,
      5000,
    );
    await everyMinerMines(mining, 'after the stateful rollout');
    await waitFor(
      'a block found after the stateful rollout',
      async () => blockAcceptedAfter(rolloutStarted),
      10 * 60_000,
      5000,
    );
  });

  it('HPA on: it owns spec.stratum.replicas through /scale, the operator follows it and nothing flaps', async () => {
    await patchPool({
      stratum: {
        autoscaling: { enabled: true, minReplicas: 2, maxReplicas: 3 },
        resources: { requests: { cpu: '100m', memory: '128Mi' }, limits: { memory: '512Mi' } },
      },
    });
    // No metrics-server here: the HPA can only enforce its bounds, which is what it does first (1 < min 2).
    await waitFor(
      'the HPA scaled the MiningPool to minReplicas 2 and the stratum Deployment followed',
      async () => {
        const [p, d] = await Promise.all([
          kubectlJson<{ spec: { stratum: { replicas: number } } }>(['-n', NS, 'get', 'miningpool', POOL]),
          kubectlJson<WorkloadObject>(['-n', NS, 'get', 'deployment', `${POOL}-stratum`]),
        ]);
        return p.spec.stratum.replicas === 2 && d.spec.replicas === 2 && d.status.readyReplicas === 2;
      },
      10 * 60_000,
      5000,
    );
    const hpa = await kubectlJson<{ spec: { scaleTargetRef: { kind: string; name: string } } }>([
      '-n',
      NS,
      'get',
      'hpa',
      `${POOL}-stratum`,
    ]);
    expect(hpa.spec.scaleTargetRef).toMatchObject({ kind: 'MiningPool', name: POOL });
    const generation = (await kubectlJson<WorkloadObject>(['-n', NS, 'get', 'deployment', `${POOL}-stratum`]))
      .metadata.generation;
    await sleep(45_000);
    const [p, d] = await Promise.all([
      kubectlJson<{ spec: { stratum: { replicas: number } } }>(['-n', NS, 'get', 'miningpool', POOL]),
      kubectlJson<WorkloadObject>(['-n', NS, 'get', 'deployment', `${POOL}-stratum`]),
    ]);
    expect([p.spec.stratum.replicas, d.spec.replicas, d.metadata.generation]).toEqual([2, 2, generation]);
  });

  it('delete with pvcRetentionPolicy Retain keeps the PVCs (a new pool reuses them); with Delete removes them', async () => {
    await Promise.all(miners.splice(0).map((m) => m.stop()));
    const claims = ['ckb', 'kafka', 'redis'].map((c) => `data-${POOL}-${c}-0`);
    const pvcs = async () =>
      (
        await kubectlJson<{
          items: { metadata: { name: string; uid: string }; status: { phase: string } }[];
        }>(['-n', NS, 'get', 'pvc'])
      ).items;
    const uids = new Map((await pvcs()).map((c) => [c.metadata.name, c.metadata.uid]));
    await patchPool({ pvcRetentionPolicy: 'Retain' });
    await waitFor(
      'every StatefulSet has whenDeleted Retain',
      async () => {
        const l = await kubectlJson<{
          items: { spec: { persistentVolumeClaimRetentionPolicy?: { whenDeleted?: string } } }[];
        }>(['-n', NS, 'get', 'statefulsets']);
        return l.items.every((s) => s.spec.persistentVolumeClaimRetentionPolicy?.whenDeleted === 'Retain');
      },
      5 * 60_000,
      3000,
    );
    await deletePool();
    expect((await pvcs()).map((c) => [c.metadata.name, c.status.phase]).sort()).toEqual(
      claims.map((n) => [n, 'Bound']),
    );
    // The same pool again (Delete this time): its StatefulSets bind the retained claims, not new ones.
    await kubectl(['apply', '-f', '-'], JSON.stringify(miningPool(cluster.images())));
    await waitFor(
      'the backing pods of the new pool Running on the retained claims',
      async () => {
        const pods = await kubectlJson<{ items: PodObject[] }>(['-n', NS, 'get', 'pods']);
        return ['ckb', 'kafka', 'redis'].every((c) =>
          pods.items.some((p) => p.metadata.name === `${POOL}-${c}-0` && p.status.phase === 'Running'),
        );
      },
      10 * 60_000,
      3000,
    );
    expect(new Map((await pvcs()).map((c) => [c.metadata.name, c.metadata.uid]))).toEqual(uids);
    await deletePool();
    await waitFor('every PVC of the pool deleted', async () => (await pvcs()).length === 0, 5 * 60_000, 3000);
  });
});

const recoveries: Record<string, number> = {};

interface PodObject {
  metadata: { name: string };
  status: { phase?: string; conditions?: { type: string; status: string }[] };
}
interface WorkloadObject {
  metadata: { name: string; generation?: number };
  spec: { replicas?: number };
  status: {
    observedGeneration?: number;
    replicas?: number;
    readyReplicas?: number;
    availableReplicas?: number;
    updatedReplicas?: number;
    currentRevision?: string;
    updateRevision?: string;
  };
}

const isReady = (p: PodObject): boolean =>
  p.status.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false;

/** As the operator judges a StatefulSet's rollout (operator/src/controller/stateful-rollout.ts). */
const settled = (s: WorkloadObject): boolean =>
  (s.status.observedGeneration ?? 0) >= (s.metadata.generation ?? 0) &&
  s.status.currentRevision === s.status.updateRevision &&
  (s.status.updatedReplicas ?? 0) >= (s.spec.replicas ?? 1) &&
  (s.status.readyReplicas ?? 0) >= (s.spec.replicas ?? 1);

async function componentPodObjects(component: string): Promise<PodObject[]> {
  const l = await kubectlJson<{ items: PodObject[] }>([
    '-n',
    NS,
    'get',
    'pods',
    '-l',
    `app.kubernetes.io/instance=${POOL},app.kubernetes.io/component=${component}`,
  ]);
  return l.items;
}
const componentPods = async (component: string): Promise<string[]> =>
  (await componentPodObjects(component)).map((p) => p.metadata.name);
const stratumPods = (): Promise<string[]> => componentPods('stratum');
const operatorPods = async (): Promise<PodObject[]> =>
  (
    await kubectlJson<{ items: PodObject[] }>([
      '-n',
      SYSTEM_NS,
      'get',
      'pods',
      '-l',
      'app.kubernetes.io/name=eaglepool-operator',
    ])
  ).items;

/** Whether the chain accepted a block of the pool found after `since` (ms; the API lists the newest first). */
async function blockAcceptedAfter(since: number): Promise<boolean> {
  const r = await serviceGet<{ blocks: { status: string; foundAt: string }[] }>(
    NS,
    `${POOL}-shareprocessor`,
    'http',
    '/api/blocks?limit=50',
  );
  return r.blocks.some((b) => b.status === 'accepted' && Number(b.foundAt) > since);
}

/** metadata.generation of every Deployment and StatefulSet, by `Kind/name`. */
async function workloadGenerations(): Promise<Record<string, number>> {
  const l = await kubectlJson<{ items: (WorkloadObject & { kind: string })[] }>([
    '-n',
    NS,
    'get',
    'deployments,statefulsets',
  ]);
  return Object.fromEntries(l.items.map((o) => [`${o.kind}/${o.metadata.name}`, o.metadata.generation ?? 0]));
}

const patchPool = (spec: Record<string, unknown>): Promise<string> =>
  kubectl(['-n', NS, 'patch', 'miningpool', POOL, '--type=merge', '-p', JSON.stringify({ spec })]);

async function deletePool(): Promise<void> {
  await kubectl(['-n', NS, 'delete', 'miningpool', POOL, '--wait=true', '--timeout=5m'], undefined, 360_000);
  await waitFor(
    'the pool StatefulSets garbage-collected',
    async () =>
      (await kubectlJson<{ items: unknown[] }>(['-n', NS, 'get', 'statefulsets'])).items.length === 0,
    5 * 60_000,
    3000,
  );
}

/** Every miner gets new acknowledgements (within 10 min). */
async function everyMinerMines(list: readonly (Sv2Miner | V1Miner)[], when: string): Promise<void> {
  const before = list.map((m) => m.snapshot().accepted);
  await waitFor(
    `every miner has new accepted shares ${when}`,
    async () => {
      const now = list.map((m) => m.snapshot().accepted);
      return now.every((n, i) => n > before[i]!) || (false as const);
    },
    10 * 60_000,
  );
}
