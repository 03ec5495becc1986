/**
 * The production share path end to end: simulated SV2 miners (Noise, standard channels) →
 * one `eaglepool pool stratum` replica process → share log in Kafka (idempotent producer,
 * acks=all, batched; a share is acknowledged only once its batch is durable) → share processor
 * → Redis accounting. The job maker (fed by the devnet), block maker and share processor run in
 * this process; the replica's CPU is read from /proc, so "per core" is the replica's own CPU time.
 * Needs Kafka and Redis: EAGLEPOOL_KAFKA_BROKERS and EAGLEPOOL_REDIS_URL
 * (`eval "$(npx tsx e2e/infra/cli.ts up redis,kafka)"`).
 * Sizes: EAGLEPOOL_BENCH_PIPELINE_CONNECTIONS (default 64), EAGLEPOOL_BENCH_PIPELINE_SECONDS (10).
 */
import { readFileSync } from 'node:fs';
import { startPipeline, waitFor } from '../../e2e/pool/pipeline.js';
import { runLoad, type LoadReport } from '../src/loadgen/index.js';
import { fmt, table, type BenchSection } from './measure.js';

const CLOCK_TICKS_PER_SEC = 100; // USER_HZ on Linux

/** utime + stime of a process in seconds (/proc/PID/stat fields 14 and 15). */
function cpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS_PER_SEC;
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
  try {
    // Share difficulty 1: the simulated miners find shares without real hashing, so the
    // load generator is not the bottleneck (each share still costs the server a full check).
    const replica = await pipeline.startReplica('bench-0', {
      // The production default linger (the end-to-end tests use 2 ms to run faster).
      sets: { 'stratum.minDifficulty': 1, 'kafka.lingerMs': 5 },
    });
    const accountedBefore = await pipeline.accountedTotal();
    let cpuAtStart = 0;
    let cpuAtEnd = 0;
    const report: LoadReport = await runLoad({
      host: '127.0.0.1',
      port: replica.port,
      mode: 'sv2',
      connections,
      rate: 1_000_000, // saturate: maxInFlight bounds what is outstanding
      maxInFlight: 64,
      durationSec: seconds,
      authorityPublicKey: pipeline.authorityPublicKey,
      user: 'bench.w',
      onWindowStart: () => void (cpuAtStart = cpuSeconds(replica.pid)),
      onWindowEnd: () => void (cpuAtEnd = cpuSeconds(replica.pid)),
    });
    const replicaCpu = cpuAtEnd - cpuAtStart;
    const drainStart = performance.now();
    const expected = accountedBefore + report.accepted;
    let accounted = 0;
    await waitFor(
      'the share processor to account every acknowledged share',
      async () => (accounted = await pipeline.accountedTotal()) >= expected,
      120_000,
      () => `accounted ${accounted - accountedBefore} of ${report.accepted}`,
    );
    const drainMs = performance.now() - drainStart;
    const rows = [
      ['connections × shares in flight', `${fmt(connections)} × 64`, ''],
      [
        'shares acknowledged (durable in Kafka) per second, wall clock',
        fmt(report.acceptedPerSec),
        `${fmt(report.accepted)} in ${report.durationSec.toFixed(1)} s; ${fmt(report.rejected)} rejected`,
      ],
      [
        'replica CPU',
        `${(replicaCpu / report.durationSec).toFixed(2)} cores`,
        'utime + stime of the stratum process during the window',
      ],
      ['shares per replica CPU-second', fmt(report.accepted / replicaCpu), 'goal ≥ 100,000 per core'],
      [
        'submit → durable ack p50 / p99',
        `${report.latencyMs.p50.toFixed(1)} / ${report.latencyMs.p99.toFixed(1)} ms`,
        'at saturation (queueing included)',
      ],
      [
        'accounted by the share processor',
        `${fmt(accounted - accountedBefore)} of ${fmt(report.accepted)}`,
        `all in Redis ${(drainMs / 1000).toFixed(1)} s after the window`,
      ],
    ];
    return {
      title,
      markdown: [
        'Load generator in this process with the job maker, block maker and share processor; the',
        'stratum replica is `eaglepool pool stratum` in its own process against the harness Kafka',
        '(one local broker) and Redis. Every share is real work against the devnet job at the',
        'floor share difficulty; an acknowledgement is sent only when the share is durable in Kafka.',
        '',
        table(['measure', 'result', 'notes'], rows),
      ].join('\n'),
    };
  } finally {
    await pipeline.stop();
  }
}
