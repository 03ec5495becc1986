/**
 * Submit → acknowledgement latency of the SV2 stratum server at fixed share rates.
 *
 * Topology: three processes. The server (latency-server.child.ts) and the load generator
 * (loadgen.child.ts: `runLoad`, 100 Noise connections, every connection on its own evenly
 * spaced schedule) each run in a child process; this process only coordinates. Placement
 * options: EAGLEPOOL_BENCH_PIN=1 (taskset, cores 0 and 1), EAGLEPOOL_BENCH_RT=1 (chrt -f 10);
 * see placement() and docs/latency.md. Each rate gets a fresh server and generator, 1 s of warm-up, then the window.
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
import type { ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import type { LatencySummary } from '../src/loadgen/histogram.js';
import type { LoadReport } from '../src/loadgen/loadgen.js';
import type { MachineStats, ProcessStats } from '../src/loadgen/monitor.js';
import { splitPhases, type PhaseReport, type ServerTrace } from '../src/loadgen/phases.js';
import { generateAuthorityKeys } from '../src/sv2/noise/index.js';
import { ask, forkTs, later, next, stopChild, works } from './children.js';
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
  /** Command prefix of the children (taskset, chrt), empty for none. */
  placement: string;
}

/**
 * Command prefix for a child: `taskset -c CPU` when pinning (EAGLEPOOL_BENCH_PIN=1; only on a
 * quiet machine: a pinned process cannot escape a busy core), `chrt -f 10` when
 * EAGLEPOOL_BENCH_RT=1 (real-time FIFO priority, root only: the children run ahead of other
 * work on a shared machine, so the figures show what the code does when it has a CPU).
 */
function placement(cpu: number): string[] {
  const prefix: string[] = [];
  if (process.env.EAGLEPOOL_BENCH_PIN === '1' && works('taskset', ['-c', '0', 'true']))
    prefix.push('taskset', '-c', String(cpu));
  if (process.env.EAGLEPOOL_BENCH_RT === '1' && works('chrt', ['-f', '10', 'true']))
    prefix.push('chrt', '-f', '10');
  return prefix;
}

/** Forks a benchmark child (server or load generator) behind the placement `prefix`. */
function spawn(script: string, prefix: string[]): ChildProcess {
  // EAGLEPOOL_BENCH_LATENCY_NODE_ARGS adds node flags to both children (e.g. GC flags, --cpu-prof).
  const extra = (process.env.EAGLEPOOL_BENCH_LATENCY_NODE_ARGS ?? '').split(' ').filter(Boolean);
  return forkTs(import.meta.url, script, prefix, extra);
}

async function run(rate: number, windowSec: number): Promise<RunResult> {
  const authority = generateAuthorityKeys();
  const server = spawn('./latency-server.child.ts', placement(0));
  const loadgen = spawn('./loadgen.child.ts', placement(1));
  try {
    const { port } = await ask<{ port: number }>(server, {
      cmd: 'start',
      authoritySecretKey: Buffer.from(authority.secretKey).toString('hex'),
    });
    const windowStart = later(next(loadgen, (m) => m.event === 'window-start'));
    const measureStart = later(next(loadgen, (m) => m.event === 'measure-start'));
    const windowEnd = later(next(loadgen, (m) => m.event === 'window-end'));
    const report = later(next<{ report: LoadReport }>(loadgen, (m) => m.event === 'report'));
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
    loadgen.send({ cmd: 'go' });
    await measureStart;
    await ask(server, { cmd: 'monitor-start' });
    await windowEnd;
    const traced = await ask<{ stats: ProcessStats; accepted: number; trace: ServerTrace }>(server, {
      cmd: 'trace-stop',
    });
    const { report: r } = await report;
    const phases = splitPhases(r.trace!, traced.trace, {
      server: traced.stats.gcPauses,
      client: r.client.gcPauses,
    });
    return {
      rate,
      report: { ...r, trace: undefined, client: { ...r.client, gcPauses: undefined } },
      server: { ...traced.stats, gcPauses: undefined },
      serverAccepted: traced.accepted,
      machine: r.machine,
      phases,
      placement: [...placement(0), '(server)'].join(' '),
    };
  } finally {
    await stopChild(loadgen, { cmd: 'exit' });
    await stopChild(server, { cmd: 'stop' });
  }
}

const ms = (v: number) => fmt(v, 2);
const pcts = (s: LatencySummary) =>
  `${ms(s.p50)} / ${ms(s.p90)} / ${ms(s.p99)} / ${ms(s.p999)} / ${ms(s.max)}`;
const pct = (f: number) => `${fmt(f * 100, 1)} %`;
const gc = (p: ProcessStats) => `${p.gc.count} GCs, max ${ms(p.gc.maxMs)} ms`;

export default async function bench(): Promise<BenchSection> {
  const rates = (process.env.EAGLEPOOL_BENCH_LATENCY_RATES ?? '2000,20000,50000').split(',').map(Number);
  const windowSec = Number(process.env.EAGLEPOOL_BENCH_LATENCY_SEC ?? 5);
  const results: RunResult[] = [];
  for (const rate of rates) results.push(await run(rate, windowSec));
  const prefix = placement(0).filter((a) => a === 'taskset' || a === 'chrt');
  const how = [
    prefix.includes('taskset') ? 'pinned to cores 0 and 1 (taskset)' : '',
    prefix.includes('chrt') ? 'at real-time priority (chrt -f 10)' : '',
  ]
    .filter(Boolean)
    .join(', ');
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
    `${pct(p.tail.serverGc)} / ${pct(p.tail.clientGc)} (all shares: ${pct(p.all.serverGc)} / ${pct(p.all.clientGc)})`,
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
      `load generator in separate processes${how ? `, ${how}` : ''};`,
      `${WARMUP_SEC} s warm-up, ${windowSec} s window per rate. Latency from the client's socket write`,
      'to the decoded acknowledgement; "from schedule" adds the generator\'s own lateness. Goal:',
      'p99 ≤ 2 ms at 20,000 shares/s. See docs/latency.md.',
      '',
      table(
        ['Rate', 'p50 / p90 / p99 / p99.9 / max ms', 'p99 from schedule ms', 'Machine during window'],
        latencyRows,
      ),
      '',
      'Phases (p50 / p99 ms); the mean phases of the slowest 1 % of shares, and how many of them',
      'waited on a GC pause of the server / of the load generator (against all shares):',
      '',
      table(
        [
          'Rate',
          'client write → server read',
          'server read → ack write',
          'ack write → client decode',
          'slowest 1 %: phases ms',
          'slowest 1 %: in a server / client GC',
        ],
        phaseRows,
      ),
      '',
      table(['Process', 'CPU cores', 'event-loop delay p99 / max ms', 'GC, pacing'], processRows),
    ].join('\n'),
  };
}
