/**
 * The production share path end to end: simulated SV2 miners (Noise, standard channels) →
 * one `eaglepool pool stratum` replica process → share log in Kafka (idempotent producer,
 * acks=all, batched; a share is acknowledged only once its batch is durable) → share processor
 * → Redis accounting. The job maker (fed by the devnet), block maker and share processor run in
 * this process, the load generator in a child process (loadgen.child.ts); the replica's CPU is
 * read from /proc, so "per core" is the replica's own CPU time.
 *
 * Placement, as the goal is stated ("load generator on the other core"): on a machine with two
 * or more cores the replica is pinned to core 1 and everything else (this process, the load
 * generator, and the harness's Kafka and Redis when `e2e/infra/cli.ts up` started them) to
 * core 0, so the replica has a core to itself. EAGLEPOOL_BENCH_PIN=0 leaves placement to the
 * kernel. A second window runs the same replica under a CFS CPU quota of LIMIT_CORES (a cgroup,
 * as a pod's CPU limit sets one) when this machine lets us create cgroups: there the replica is
 * saturated whatever core 0 can feed it.
 * Needs Kafka and Redis: EAGLEPOOL_KAFKA_BROKERS and EAGLEPOOL_REDIS_URL
 * (`eval "$(npx tsx e2e/infra/cli.ts up redis,kafka)"`).
 * Sizes: EAGLEPOOL_BENCH_PIPELINE_CONNECTIONS (default 64), EAGLEPOOL_BENCH_PIPELINE_SECONDS (10).
 */
import { readFileSync } from 'node:fs';
import { availableParallelism, cpus } from 'node:os';
import { readState } from '../../e2e/infra/harness/state.js';
import { startPipeline, waitFor } from '../../e2e/pool/pipeline.js';
import type { LoadOptions, LoadReport } from '../src/loadgen/index.js';
import { forkTs, later, limitCpu, next, pinTree, stopChild, works } from './children.js';
import { fmt, table, type BenchSection } from './measure.js';

const CLOCK_TICKS_PER_SEC = 100; // USER_HZ on Linux
const REPLICA_CPU = 1;
const REST_CPU = 0;
/** The CPU limit of the second window (a fraction of a core: the replica must saturate). */
const LIMIT_CORES = 0.5;

/** utime + stime of a process in seconds (/proc/PID/stat fields 14 and 15). */
function cpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS_PER_SEC;
}

/** Whether to pin (see the header); why not, when not. */
function pinning(): { pin: true } | { pin: false; why: string } {
  if (process.env.EAGLEPOOL_BENCH_PIN === '0') return { pin: false, why: 'EAGLEPOOL_BENCH_PIN=0' };
  if (availableParallelism() < 2) return { pin: false, why: 'one core' };
  if (!works('taskset', ['-c', '0', 'true'])) return { pin: false, why: 'no taskset' };
  return { pin: true };
}

/** Pins this process and the harness servers to `cpus`; names what was pinned. */
function pinTheRest(cpus: number | string): string[] {
  pinTree(process.pid, cpus);
  const pinned = ['this process (job maker, block maker, share processor)', 'the load generator'];
  for (const server of readState()?.processes ?? []) if (pinTree(server.pid, cpus)) pinned.push(server.name);
  return pinned;
}

interface Window {
  report: LoadReport;
  /** The replica's CPU seconds during the window. */
  cpuSec: number;
}

/** One saturating load window from a fresh load-generator child against `replica`. */
async function measureWindow(
  replica: { pid: number; port: number },
  authorityPublicKey: string,
  connections: number,
  seconds: number,
): Promise<Window> {
  // EAGLEPOOL_BENCH_LOADGEN_NODE_ARGS adds node flags to the load generator (e.g. --cpu-prof).
  const loadgenArgs = (process.env.EAGLEPOOL_BENCH_LOADGEN_NODE_ARGS ?? '').split(' ').filter(Boolean);
  const loadgen = forkTs(import.meta.url, './loadgen.child.ts', [], loadgenArgs);
  try {
    const windowStart = later(next(loadgen, (m) => m.event === 'window-start'));
    const measureStart = later(next(loadgen, (m) => m.event === 'measure-start'));
    const windowEnd = later(next(loadgen, (m) => m.event === 'window-end'));
    const done = later(next<{ report: LoadReport }>(loadgen, (m) => m.event === 'report'));
    const options: LoadOptions = {
      host: '127.0.0.1',
      port: replica.port,
      mode: 'sv2',
      connections,
      rate: 1_000_000, // saturate: maxInFlight bounds what is outstanding
      maxInFlight: 64,
      sendsPerTurn: 1024, // a connection's due shares leave in one write
      durationSec: seconds,
      authorityPublicKey,
      user: 'bench.w',
    };
    loadgen.send({ cmd: 'run', options });
    await windowStart;
    loadgen.send({ cmd: 'go' });
    await measureStart;
    const cpuAtStart = cpuSeconds(replica.pid);
    await windowEnd;
    const cpuSec = cpuSeconds(replica.pid) - cpuAtStart;
    return { report: (await done).report, cpuSec };
  } finally {
    await stopChild(loadgen, { cmd: 'exit' });
  }
}

export default async function pipelineBench(): Promise<BenchSection> {
  const title = 'Share path end to end: SV2 miners → stratum replica → Kafka → share processor → Redis';
  if (!process.env.EAGLEPOOL_KAFKA_BROKERS || !process.env.EAGLEPOOL_REDIS_URL) {
    return {
      title,
      markdown:
        '_Not run: needs Kafka and Redis (EAGLEPOOL_KAFKA_BROKERS, EAGLEPOOL_REDIS_URL; ' +
        '`eval "$(npx tsx e2e/infra/cli.ts up redis,kafka)"`)._',
    };
  }
  const connections = Number(process.env.EAGLEPOOL_BENCH_PIPELINE_CONNECTIONS ?? 64);
  const seconds = Number(process.env.EAGLEPOOL_BENCH_PIPELINE_SECONDS ?? 10);
  // A network target no share reaches: the block path is measured elsewhere.
  const pipeline = await startPipeline({ networkDifficulty: 1n << 60n, blockTimeMs: 600_000 });
  let restPinned = false;
  try {
    // Share difficulty 1: the simulated miners find shares without real hashing, so the
    // load generator is not the bottleneck (each share still costs the server a full check).
    const replica = await pipeline.startReplica('bench-0', {
      // The production default linger (the end-to-end tests use 2 ms to run faster).
      sets: { 'stratum.minDifficulty': 1, 'kafka.lingerMs': 5 },
    });
    const placement = pinning();
    const pinned = placement.pin && pinTree(replica.pid, REPLICA_CPU) ? pinTheRest(REST_CPU) : [];
    restPinned = pinned.length > 0;
    const accountedBefore = await pipeline.accountedTotal();
    // Accounting catches up after the windows (the shares wait in Kafka): on core 0 it would
    // take the cycles the load generator and Kafka need to keep the replica busy.
    await pipeline.pauseAccounting();
    const windows: Window[] = [];
    try {
      windows.push(await measureWindow(replica, pipeline.authorityPublicKey, connections, seconds));
      // The same replica under a CFS quota, as a pod's CPU limit sets one.
      const limit = limitCpu(replica.pid, LIMIT_CORES);
      if (limit) {
        try {
          windows.push(await measureWindow(replica, pipeline.authorityPublicKey, connections, seconds));
        } finally {
          limit.release();
        }
      }
    } finally {
      await pipeline.resumeAccounting();
    }
    const acknowledged = windows.reduce((n, w) => n + w.report.accepted, 0);
    const drainStart = performance.now();
    const expected = accountedBefore + acknowledged;
    let accounted = 0;
    await waitFor(
      'the share processor to account every acknowledged share',
      async () => (accounted = await pipeline.accountedTotal()) >= expected,
      300_000,
      () => `accounted ${accounted - accountedBefore} of ${acknowledged}`,
    );
    const drainMs = performance.now() - drainStart;
    const rows: string[][] = [
      ['connections × shares in flight', `${fmt(connections)} × 64`, ''],
      [
        'placement',
        pinned.length > 0 ? `replica alone on core ${REPLICA_CPU}` : 'kernel',
        pinned.length > 0
          ? `core ${REST_CPU}: ${pinned.join(', ')}`
          : `not pinned (${placement.pin ? 'taskset failed' : placement.why})`,
      ],
    ];
    windows.forEach((w, i) => {
      const what = i === 0 ? '' : ` (CPU limit ${LIMIT_CORES} core)`;
      rows.push(
        [
          `shares acknowledged (durable in Kafka) per second${what}`,
          fmt(w.report.acceptedPerSec),
          `${fmt(w.report.accepted)} in ${w.report.durationSec.toFixed(1)} s; ${fmt(w.report.rejected)} rejected`,
        ],
        [
          `replica CPU${what}`,
          `${(w.cpuSec / w.report.durationSec).toFixed(2)} cores`,
          'utime + stime of the stratum process during the window',
        ],
        [
          `shares per replica CPU-second${what}`,
          fmt(w.report.accepted / w.cpuSec),
          i === 0
            ? 'goal ≥ 100,000 per core'
            : w.cpuSec / w.report.durationSec >= 0.9 * LIMIT_CORES
              ? 'saturated: the replica used its whole CPU limit'
              : 'below its CPU limit: not saturated',
        ],
        [
          `submit → durable ack p50 / p99${what}`,
          `${w.report.latencyMs.p50.toFixed(1)} / ${w.report.latencyMs.p99.toFixed(1)} ms`,
          'at saturation (queueing included)',
        ],
      );
    });
    rows.push([
      'accounted by the share processor',
      `${fmt(accounted - accountedBefore)} of ${fmt(acknowledged)}`,
      `share processor paused during the windows; all in Redis ${(drainMs / 1000).toFixed(1)} s after them`,
    ]);
    return {
      title,
      markdown: [
        'The stratum replica is `eaglepool pool stratum` in its own process against the harness',
        'Kafka (one local broker) and Redis; the load generator runs in a child process, the job',
        'maker, block maker and share processor in the benchmark process. Every share is real work',
        'against the devnet job at the floor share difficulty; an acknowledgement is sent only when',
        'the share is durable in Kafka. The second window (when cgroups are writable here) puts the',
        'replica under a CPU limit so that it is saturated.',
        '',
        table(['measure', 'result', 'notes'], rows),
      ].join('\n'),
    };
  } finally {
    // Every core again for what outlives this benchmark: this process (the next sections and
    // their children) and the harness servers.
    if (restPinned) pinTheRest(`0-${cpus().length - 1}`);
    await pipeline.stop();
  }
}
