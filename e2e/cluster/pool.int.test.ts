/**
 * The pool on a real single-node Kubernetes cluster (e2e/infra/harness/cluster.ts): `helm install`
 * the chart, `kubectl apply` a devnet MiningPool whose children run the locally built images, every
 * child Ready; then an SV2 miner and a V1 miner on the host, outside the pod network, mine through
 * NodePorts (the stratum and translator Services) and find blocks the chain accepts, and the share processor (which reads only Kafka)
 * credits each worker.
 */
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
  const miners: { stop(): Promise<void> }[] = [];
  let failed = false;

  beforeAll(async () => {
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
    const sv2 = await Sv2Miner.start({
      host,
      port: await nodePort(`${POOL}-stratum`),
      authorityPublicKey: status!.noiseAuthorityPublicKey!,
      user: 'alice.sv2rig',
      threads: 1,
      mode: 'sv2-standard',
    });
    miners.push(sv2);
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

  it('scale to 3 then 1: replicas added, then drained with Reconnect; every acknowledged share accounted', async () => {
    const { status } = await pool();
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
    for (let i = 0; i < 6; i++) {
      const m = await Sv2Miner.start({
        host: cluster.nodeIp(),
        port,
        authorityPublicKey: status!.noiseAuthorityPublicKey!,
        user: `carol.rig${i}`,
        threads: 1,
        mode: 'sv2-standard',
      });
      scaled.push(m);
      miners.push(m);
    }
    await waitFor(
      'every scaled-test miner has an accepted share',
      async () => scaled.every((m) => m.snapshot().accepted > 0),
      5 * 60_000,
    );
    await kubectl(['-n', NS, 'scale', `miningpool/${POOL}`, '--replicas=1']);
    await waitFor(
      'one stratum pod left',
      async () => {
        const pods = await kubectlJson<{ items: unknown[] }>([
          '-n',
          NS,
          'get',
          'pods',
          '-l',
          `app.kubernetes.io/instance=${POOL},app.kubernetes.io/component=stratum`,
        ]);
        return pods.items.length === 1;
      },
      5 * 60_000,
      3000,
    );
    // The miners of the two removed replicas were told to reconnect and mine on the one left.
    const moved = scaled.filter((m) => m.stats.connects > 1);
    expect(moved.length).toBeGreaterThan(0);
    const before = scaled.map((m) => m.snapshot().accepted);
    await waitFor(
      'every miner has new accepted shares after the scale-down',
      async () => scaled.every((m, i) => m.snapshot().accepted > before[i]!),
      5 * 60_000,
    );
    await Promise.all(scaled.map((m) => m.stop()));
    // Acknowledged means durable in Kafka: the share processor accounts every one, no more, no less.
    for (const [i, m] of scaled.entries()) {
      const acked = m.snapshot().accepted;
      await waitFor(
        `carol.rig${i}: ${acked} acknowledged shares accounted`,
        async () => (await userStats('carol'))?.workers.find((w) => w.worker === `rig${i}`)?.shares === acked,
        3 * 60_000,
      );
    }
  });
});
