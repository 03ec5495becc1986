/**
 * Stratum server benchmark: the server runs in a child process (stratum-server.child.ts); SV2
 * clients over real loopback TCP + Noise run here.
 *
 * 1. Throughput: C connections keep W shares in flight each; shares/s accepted, and shares per
 *    second of server CPU time (the per-core figure, independent of how busy the machine is).
 * 2. Idle connections: K Noise connections, each past SetupConnection with one standard channel;
 *    server RSS / heap growth per connection.
 * 3. Fan-out: new tip (future job + SetNewPrevHash) to all K; server-side time to encrypt and
 *    write every frame, and time until every client has decoded its SetNewPrevHash. Measured
 *    twice: with the clients reading as the frames arrive, and with the clients' sockets paused
 *    during the fan-out (then resumed and checked), since real miners' receive work runs on their
 *    own hosts, not on the two cores the server shares with this process here.
 * Submit → ack latency has its own benchmark (stratum-latency.bench.ts, docs/latency.md).
 * Sizes via EAGLEPOOL_BENCH_CONNECTIONS (K, default 5000);
 * EAGLEPOOL_BENCH_STRATUM=idle runs only the memory and fan-out part. EAGLEPOOL_BENCH_REPLICAS=R
 * (default 1) spreads the K idle connections over R server processes with distinct replica ids
 * (as the stratum Deployment scales) and fans each new tip out on all of them at once.
 */
import { fork, type ChildProcess } from 'node:child_process';
import net from 'node:net';
import { fileURLToPath } from 'node:url';
import { generateAuthorityKeys } from '../src/sv2/noise/index.js';
import { connectSv2, type Sv2Session } from '../src/sv2-net/session.js';
import { MiningSetupFlags, miningSetupConnection, type Sv2Message } from '../src/sv2/index.js';
import { fmt, table, type BenchSection } from './measure.js';

interface Stats {
  accepted: number;
  rejected: number;
  connections: number;
  cpu: NodeJS.CpuUsage;
  memory: { rss: number; heapUsed: number; external: number; arrayBuffers: number };
}

class ServerProcess {
  private constructor(private readonly child: ChildProcess) {}

  static async start(
    authoritySecretKey: Uint8Array,
    replicaId = 1,
  ): Promise<{ server: ServerProcess; port: number }> {
    const script = fileURLToPath(new URL('./stratum-server.child.ts', import.meta.url));
    // EAGLEPOOL_BENCH_SERVER_ARGS adds node flags for the server process (e.g. --cpu-prof).
    const extra = (process.env.EAGLEPOOL_BENCH_SERVER_ARGS ?? '').split(' ').filter(Boolean);
    const child = fork(script, [], {
      execArgv: ['--import', 'tsx', '--expose-gc', ...extra],
      stdio: 'inherit',
    });
    const server = new ServerProcess(child);
    const { port } = await server.ask<{ port: number }>({
      cmd: 'start',
      authoritySecretKey: Buffer.from(authoritySecretKey).toString('hex'),
      replicaId,
    });
    return { server, port };
  }

  ask<T>(req: object): Promise<T> {
    return new Promise((resolve) => {
      this.child.once('message', (m) => resolve(m as T));
      this.child.send(req);
    });
  }

  stats(): Promise<Stats> {
    return this.ask<Stats>({ cmd: 'stats' });
  }

  async stop(): Promise<void> {
    const exited = new Promise((r) => this.child.once('exit', r));
    this.child.send({ cmd: 'stop' });
    await exited;
  }
}

/** One bench client: a standard channel and the newest job. */
class BenchClient {
  channelId = 0;
  jobId = 0;
  ntime = 0;
  nonce = 0;
  seq = 0;
  acked = 0;
  errors = 0;
  prevHashes = 0;
  onAck: ((lastSeq: number, count: number) => void) | undefined;
  onPrevHash: (() => void) | undefined;
  private ready!: () => void;
  readonly opened = new Promise<void>((r) => (this.ready = r));

  constructor(
    readonly session: Sv2Session,
    readonly socket: net.Socket,
  ) {
    session.onMessage((m) => this.handle(m));
  }

  static async open(port: number, authorityPublicKey: Uint8Array, user: string): Promise<BenchClient> {
    const socket = net.connect({ host: '127.0.0.1', port });
    const session = await connectSv2({ host: '127.0.0.1', port, authorityPublicKey, socket });
    const c = new BenchClient(session, socket);
    session.send(
      miningSetupConnection({
        flags: MiningSetupFlags.RequiresStandardJobs,
        endpointHost: '127.0.0.1',
        endpointPort: port,
        vendor: 'bench',
      }),
    );
    session.send({
      type: 'OpenStandardMiningChannel',
      requestId: 1,
      userIdentity: user,
      nominalHashRate: 0,
      maxTarget: new Uint8Array(32).fill(0xff),
    });
    await c.opened;
    return c;
  }

  private handle(m: Sv2Message): void {
    switch (m.type) {
      case 'OpenStandardMiningChannelSuccess':
        this.channelId = m.channelId;
        break;
      case 'NewMiningJob':
        this.jobId = m.jobId;
        break;
      case 'SetNewPrevHash':
        this.ntime = m.minNtime;
        this.prevHashes++;
        this.onPrevHash?.();
        this.ready();
        break;
      case 'SubmitSharesSuccess':
        this.acked += m.newSubmitsAcceptedCount;
        this.onAck?.(m.lastSequenceNumber, m.newSubmitsAcceptedCount);
        break;
      case 'SubmitSharesError':
        this.errors++;
        break;
      default:
        break;
    }
  }

  submit(): number {
    const seq = this.seq++;
    this.session.send({
      type: 'SubmitSharesStandard',
      channelId: this.channelId,
      sequenceNumber: seq,
      jobId: this.jobId,
      nonce: this.nonce++ >>> 0,
      ntime: this.ntime,
      version: 0,
    });
    return seq;
  }
}

/** Opens `n` clients, spread round-robin over `ports` when given several. */
async function openMany(
  ports: number | number[],
  key: Uint8Array,
  n: number,
  parallel = 64,
): Promise<BenchClient[]> {
  const portList = typeof ports === 'number' ? [ports] : ports;
  const out: BenchClient[] = [];
  for (let i = 0; i < n; i += parallel) {
    const batch = await Promise.all(
      Array.from({ length: Math.min(parallel, n - i) }, (_, j) =>
        BenchClient.open(portList[(i + j) % portList.length]!, key, `bench.w${i + j}`),
      ),
    );
    out.push(...batch);
  }
  return out;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const cpuSeconds = (a: NodeJS.CpuUsage, b: NodeJS.CpuUsage) => (b.user - a.user + b.system - a.system) / 1e6;

async function throughput(port: number, key: Uint8Array, conns: number, window: number) {
  const clients = await openMany(port, key, conns);
  for (const c of clients) {
    c.onAck = (_seq, count) => {
      for (let i = 0; i < count; i++) c.submit();
    };
  }
  for (const c of clients) for (let i = 0; i < window; i++) c.submit();
  await sleep(300); // warm-up
  return { clients };
}

function replicaCount(): number {
  const r = Number(process.env.EAGLEPOOL_BENCH_REPLICAS ?? 1);
  if (!Number.isInteger(r) || r < 1 || r > 255) throw new Error('EAGLEPOOL_BENCH_REPLICAS must be 1..255');
  return r;
}

/**
 * `count` idle connections spread over `replicas` server processes: server memory per
 * connection (sum of the replicas' growth), then three new tips sent to every replica at once.
 */
async function idleAndFanOut(
  secret: Uint8Array,
  key: Uint8Array,
  count: number,
  replicas: number,
): Promise<string[][]> {
  const rows: string[][] = [];
  const servers = await Promise.all(
    Array.from({ length: replicas }, (_, i) => ServerProcess.start(secret, i + 1)),
  );
  const over = replicas === 1 ? '' : ` over ${replicas} replica processes`;
  const before = await Promise.all(servers.map((s) => s.server.stats()));
  const t0 = performance.now();
  const clients = await openMany(
    servers.map((s) => s.port),
    key,
    count,
    100,
  );
  const openSeconds = (performance.now() - t0) / 1000;
  await sleep(500);
  const after = await Promise.all(servers.map((s) => s.server.stats()));
  const grown = (f: (s: Stats) => number) =>
    after.reduce((sum, a, i) => sum + f(a) - f(before[i]!), 0) / count;
  rows.push(
    [
      `server memory per idle Noise connection (${fmt(count)} conns${over}, 1 channel each)`,
      `${fmt(grown((s) => s.memory.rss) / 1024, 1)} KB RSS`,
      `${fmt(grown((s) => s.memory.heapUsed) / 1024, 1)} KB JS heap; goal ≤ 6 KB`,
    ],
    [
      `open ${fmt(count)} connections (handshake + setup + channel)`,
      `${fmt(count / openSeconds)} conn/s`,
      'both ends in this benchmark',
    ],
  );
  type FanOut = { serverMs: number[]; cpuMs: number[]; client: number };
  /** One new tip on every replica at once; with `paused`, clients read only after it was written. */
  const fanOut = async (paused: boolean): Promise<FanOut> => {
    const target = clients.map((c) => c.prevHashes + 1);
    let remaining = clients.length;
    const allReceived = new Promise<number>((resolve) => {
      clients.forEach((c, i) => {
        c.onPrevHash = () => {
          if (c.prevHashes === target[i]) {
            remaining--;
            if (remaining === 0) resolve(performance.now());
          }
        };
      });
    });
    if (paused) for (const c of clients) c.socket.pause();
    const start = performance.now();
    const replies = await Promise.all(
      servers.map((s) => s.server.ask<{ fanOutMs: number; fanOutCpuMs: number }>({ cmd: 'job' })),
    );
    if (paused) for (const c of clients) c.socket.resume();
    const end = await allReceived; // every client got it either way
    return {
      serverMs: replies.map((r) => r.fanOutMs),
      cpuMs: replies.map((r) => r.fanOutCpuMs),
      client: end - start,
    };
  };
  const list = (ms: number[]) => ms.map((m) => m.toFixed(1)).join(' / ');
  const perReplica = replicas > 1 ? ' (per replica)' : '';
  const totalCpu = (f: FanOut) => f.cpuMs.reduce((a, b) => a + b, 0);
  const slowest = (f: FanOut) => Math.max(...f.serverMs);
  for (const paused of [false, true]) {
    const rounds: FanOut[] = [];
    for (let round = 0; round < 3; round++) rounds.push(await fanOut(paused));
    const best = rounds.reduce((a, b) => (slowest(b) < slowest(a) ? b : a));
    const leastCpu = rounds.reduce((a, b) => (totalCpu(b) < totalCpu(a) ? b : a));
    const how = paused ? 'clients not reading until it is written' : 'clients reading as frames arrive';
    rows.push(
      [
        `new tip fan-out to ${fmt(count)} connections${over}, ${how} (best of 3)`,
        `${list(best.serverMs)} ms server-side${perReplica}`,
        paused
          ? `every client then decoded SetNewPrevHash; goal ≤ 150 ms at 18k`
          : `${best.client.toFixed(1)} ms until every client decoded SetNewPrevHash; goal ≤ 150 ms at 18k`,
      ],
      [
        `server CPU of one fan-out, ${how} (least of 3)`,
        `${list(leastCpu.cpuMs)} ms${perReplica}; ${fmt((totalCpu(leastCpu) * 1000) / count, 1)} µs per connection`,
        'encode + encrypt 2 frames + one socket.write (most of it the kernel send)',
      ],
    );
  }
  for (const c of clients) c.session.close('done');
  await Promise.all(servers.map((s) => s.server.stop()));
  return rows;
}

export default async function bench(): Promise<BenchSection> {
  const idleCount = Number(process.env.EAGLEPOOL_BENCH_CONNECTIONS ?? 5000);
  const authority = generateAuthorityKeys();
  const key = authority.publicKey;
  const rows: string[][] = [];

  // EAGLEPOOL_BENCH_STRATUM=idle runs only the idle-connection memory and fan-out part.
  const idleOnly = process.env.EAGLEPOOL_BENCH_STRATUM === 'idle';

  // 1. Throughput.
  if (!idleOnly) {
    const { server, port } = await ServerProcess.start(authority.secretKey);
    const conns = 64;
    const window = 64;
    const { clients } = await throughput(port, key, conns, window);
    const s0 = await server.stats();
    const t0 = performance.now();
    await sleep(3000);
    const s1 = await server.stats();
    const seconds = (performance.now() - t0) / 1000;
    for (const c of clients) c.onAck = undefined;
    const shares = s1.accepted - s0.accepted;
    const cpu = cpuSeconds(s0.cpu, s1.cpu);
    rows.push(
      [`shares/s, ${conns} conns × ${window} in flight`, fmt(shares / seconds), 'wall clock, loaded machine'],
      [
        'shares per server CPU-second',
        fmt(shares / cpu),
        `server used ${(cpu / seconds).toFixed(2)} cores; goal ≥ 100,000`,
      ],
    );
    if (s1.rejected > 0) rows.push(['rejected (should be 0)', fmt(s1.rejected), '']);
    for (const c of clients) c.session.close('done');
    await server.stop();
  }

  // 2 + 3. Idle connections and fan-out.
  rows.push(...(await idleAndFanOut(authority.secretKey, key, idleCount, replicaCount())));

  return {
    title: 'Stratum server (SV2 over Noise, loopback)',
    markdown: [
      'Server in a child process, clients (Noise initiators) in the benchmark process; every share',
      'is accepted (share target 2^256 − 1), so each costs AEAD open, decode, one Eaglesong',
      'permutation, the duplicate check and a share of a batched SubmitShares.Success. The share',
      'sink only counts (share log publishing is measured by the bus benchmarks).',
      '',
      table(['Measure', 'Result', 'Notes'], rows),
    ].join('\n'),
  };
}
