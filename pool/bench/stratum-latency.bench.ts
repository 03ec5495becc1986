/**
 * Submit → acknowledgement latency of the SV2 stratum server at fixed share rates.
 *
 * Topology: three processes. The server (latency-server.child.ts) and the load generator
 * (loadgen.child.ts: `runLoad`, 100 Noise connections, every connection on its own evenly
 * spaced schedule) each run in a child process; EAGLEPOOL_BENCH_PIN=1 pins them with taskset to
 * core 0 and core 1 (quiet machine only: see docs/latency.md); this process only coordinates. Each rate gets a fresh server and generator, 1 s of warm-up, then the window.
 *
 * Latency runs from the client's socket write of a share to the decoding of its
 * acknowledgement. Both children stamp on CLOCK_MONOTONIC, so each share is also split into
 * phases (client → server read, server read → ack write, server write → client decode; see
 * splitPhases). Every row comes with both processes' CPU, event-loop delay and GC pauses and
 * the machine's CPU use and pressure (/proc/pressure/cpu) during the window: other work on the
 * machine shows up there.
 *
 * EAGLEPOOL_BENCH_LATENCY_RATES (default "2000,20000,50000"), EAGLEPOOL_BENCH_LATENCY_SEC
 * (window seconds, default 5), EAGLEPOOL_BENCH_LATENCY_JSON=path writes the raw results.
 */
import { execFileSync, fork, type ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { LatencySummary } from '../src/loadgen/histogram.js';
import type { LoadReport } from '../src/loadgen/loadgen.js';
import { MachineMonitor, type MachineStats, type ProcessStats } from '../src/loadgen/monitor.js';
import { splitPhases, type PhaseReport, type ServerTrace } from '../src/loadgen/phases.js';
import { generateAuthorityKeys } from '../src/sv2/noise/index.js';
import { fmt, table, type BenchSection } from './measure.js';

const CONNECTIONS = 100;
const WARMUP_SEC = 1;

interface RunResult {
  rate: number;
  report: LoadReport;
  server: ProcessStats;
  serverAccepted: number;
  machine: MachineStats | undefined;
  phases: PhaseReport;
  pinned: boolean;
}

/** Pinning only on request: on a shared machine a pinned process cannot escape a busy core. */
function canPin(): boolean {
  if (process.env.EAGLEPOOL_BENCH_PIN !== '1') return false;
  try {
    execFileSync('taskset', ['-c', '0', 'true'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** Forks a TS child with tsx, pinned to `cpu` through taskset when `cpu` is given. */
function spawn(script: string, cpu: number | undefined): ChildProcess {
  const path = fileURLToPath(new URL(script, import.meta.url));
  // EAGLEPOOL_BENCH_LATENCY_NODE_ARGS adds node flags to both children (e.g. GC flags, --cpu-prof).
  const extra = (process.env.EAGLEPOOL_BENCH_LATENCY_NODE_ARGS ?? '').split(' ').filter(Boolean);
  const node = ['--import', 'tsx', ...extra];
  return fork(path, [], {
    serialization: 'advanced', // typed arrays (traces) cross the channel as such
    stdio: 'inherit',
    ...(cpu === undefined
      ? { execArgv: node }
      : { execPath: 'taskset', execArgv: ['-c', String(cpu), process.execPath, ...node] }),
  });
}

/** The next message from `child` that satisfies `pick`. */
function next<T>(child: ChildProcess, pick: (m: Record<string, unknown>) => boolean): Promise<T> {
  return new Promise((resolve, reject) => {
    const onMessage = (m: unknown) => {
      const msg = m as Record<string, unknown>;
      if (msg.event === 'error') {
        child.off('message', onMessage);
        reject(new Error(String(msg.message)));
      } else if (pick(msg)) {
        child.off('message', onMessage);
        resolve(m as T);
      }
    };
    child.on('message', onMessage);
  });
}

async function ask<T>(child: ChildProcess, req: object): Promise<T> {
  const answer = next<T>(child, () => true);
  child.send(req);
  return answer;
}

async function stopChild(child: ChildProcess, req: object): Promise<void> {
  const exited = new Promise((r) => child.once('exit', r));
  child.send(req);
  await exited;
}

async function run(rate: number, windowSec: number, pin: boolean): Promise<RunResult> {
  const authority = generateAuthorityKeys();
  const server = spawn('./latency-server.child.ts', pin ? 0 : undefined);
  const loadgen = spawn('./loadgen.child.ts', pin ? 1 : undefined);
  try {
    const { port } = await ask<{ port: number }>(server, {
      cmd: 'start',
      authoritySecretKey: Buffer.from(authority.secretKey).toString('hex'),
    });
    const machine = new MachineMonitor();
    const windowStart = next(loadgen, (m) => m.event === 'window-start');
    const windowEnd = next(loadgen, (m) => m.event === 'window-end');
    const report = next<{ report: LoadReport }>(loadgen, (m) => m.event === 'report');
    loadgen.send({
      cmd: 'run',
      options: {
        host: '127.0.0.1',
        port,
        mode: 'sv2',
        authorityPublicKey: authority.publicKey,
        connections: CONNECTIONS,
        rate,
        durationSec: windowSec,
        warmupSec: WARMUP_SEC,
        trace: true,
      },
    });
    await windowStart;
    // Server events: a read and a write per share, with room to spare.
    const capacity = Math.ceil(rate * (windowSec + WARMUP_SEC + 6) * 2.5) + 100_000;
    await ask(server, { cmd: 'trace-start', capacity });
    machine.start();
    loadgen.send({ cmd: 'go' });
    await windowEnd;
    const machineStats = machine.stop();
    const traced = await ask<{ stats: ProcessStats; accepted: number; trace: ServerTrace }>(server, {
      cmd: 'trace-stop',
    });
    const { report: r } = await report;
    const phases = splitPhases(r.trace!, traced.trace);
    return {
      rate,
      report: { ...r, trace: undefined },
      server: traced.stats,
      serverAccepted: traced.accepted,
      machine: machineStats,
      phases,
      pinned: pin,
    };
  } finally {
    await stopChild(loadgen, { cmd: 'exit' });
    await stopChild(server, { cmd: 'stop' });
  }
}

const ms = (v: number) => fmt(v, 2);
const pcts = (s: LatencySummary) =>
  `${ms(s.p50)} / ${ms(s.p90)} / ${ms(s.p99)} / ${ms(s.p999)} / ${ms(s.max)}`;
const gc = (p: ProcessStats) => `${p.gc.count} GCs, max ${ms(p.gc.maxMs)} ms`;

export default async function bench(): Promise<BenchSection> {
  const rates = (process.env.EAGLEPOOL_BENCH_LATENCY_RATES ?? '2000,20000,50000').split(',').map(Number);
  const windowSec = Number(process.env.EAGLEPOOL_BENCH_LATENCY_SEC ?? 5);
  const pin = canPin();
  const results: RunResult[] = [];
  for (const rate of rates) results.push(await run(rate, windowSec, pin));
  if (process.env.EAGLEPOOL_BENCH_LATENCY_JSON)
    writeFileSync(process.env.EAGLEPOOL_BENCH_LATENCY_JSON, JSON.stringify(results, null, 2));

  const latencyRows = results.map(({ rate, report: r, machine }) => [
    `${fmt(rate)}/s (${fmt(r.acceptedPerSec)} acked/s, ${fmt(r.skipped)} skipped)`,
    pcts(r.latencyMs),
    ms(r.fromScheduleMs.p99),
    machine ? `${fmt(machine.busyCores, 2)} cores busy, pressure ${fmt(machine.cpuPressurePct, 1)} %` : 'n/a',
  ]);
  const phaseRows = results.map(({ rate, phases: p }) => [
    `${fmt(rate)}/s`,
    `${ms(p.toServer.p50)} / ${ms(p.toServer.p99)}`,
    `${ms(p.inServer.p50)} / ${ms(p.inServer.p99)}`,
    `${ms(p.toClient.p50)} / ${ms(p.toClient.p99)}`,
    `${ms(p.tail.toServerMean)} + ${ms(p.tail.inServerMean)} + ${ms(p.tail.toClientMean)}`,
  ]);
  const processRows = results.flatMap(({ rate, report: r, server }) => [
    [
      `${fmt(rate)}/s server`,
      fmt(server.cores, 2),
      `${ms(server.eventLoopDelayMs.p99)} / ${ms(server.eventLoopDelayMs.max)}`,
      gc(server),
    ],
    [
      `${fmt(rate)}/s load generator`,
      fmt(r.client.cores, 2),
      `${ms(r.client.eventLoopDelayMs.p99)} / ${ms(r.client.eventLoopDelayMs.max)}`,
      `${gc(r.client)}; send lag p99 ${ms(r.sendLagMs.p99)} ms`,
    ],
  ]);
  return {
    title: 'Stratum submit → ack latency (SV2 over Noise, loopback)',
    markdown: [
      `${CONNECTIONS} Noise connections, one standard channel each, every share accepted; server and`,
      `load generator in separate processes${pin ? ', pinned to cores 0 and 1 (taskset)' : ''};`,
      `${WARMUP_SEC} s warm-up, ${windowSec} s window per rate. Latency from the client's socket write`,
      'to the decoded acknowledgement; "from schedule" adds the generator\'s own lateness. Goal:',
      'p99 ≤ 2 ms at 20,000 shares/s. See docs/latency.md.',
      '',
      table(
        ['Rate', 'p50 / p90 / p99 / p99.9 / max ms', 'p99 from schedule ms', 'Machine during window'],
        latencyRows,
      ),
      '',
      'Phases (p50 / p99 ms), and the mean phases of the slowest 1 % of shares:',
      '',
      table(
        [
          'Rate',
          'client write → server read',
          'server read → ack write',
          'ack write → client decode',
          'slowest 1 %',
        ],
        phaseRows,
      ),
      '',
      table(['Process', 'CPU cores', 'event-loop delay p99 / max ms', 'GC, pacing'], processRows),
    ].join('\n'),
  };
}
