/** `eaglepool loadgen`: many simulated miners (SV2 or V1) against a local pool or translator. */
import { parseHostPort } from '../config/index.js';
import { LoadError, MAX_CONNECTIONS, MAX_DURATION_SEC, runLoad } from '../loadgen/index.js';
import { UsageError, type Command } from './command.js';

/** --warmup: seconds ≥ 0 (default 0). */
function warmup(v: unknown): number {
  const n = v === undefined ? 0 : Number(v);
  if (!Number.isFinite(n) || n < 0) throw new UsageError('--warmup must be a number of seconds ≥ 0');
  return n;
}

export const command: Command = {
  summary: 'Load generator: many simulated SV2 or V1 miners over loopback TCP (shares/s, latency)',
  usage: `Usage: eaglepool loadgen --url HOST:PORT --mode sv2|v1 [options]

Opens N miner connections over loopback TCP (SV2 with Noise and one standard channel each, or
CKB Stratum V1 as ASICs speak it), submits valid shares at an aggregate rate for a fixed time
(nonces whose Eaglesong meets the easy share target are searched in batches per job), and
prints accepted/rejected counts, submit → acknowledgement latency percentiles and the bytes
on the wire per share. Every connection submits on its own evenly spaced schedule; latency runs
from the share's socket write to its acknowledgement, and the generator's own lateness and CPU,
event-loop delay and GC pauses are printed too (see docs/latency.md).
Loopback targets only; at most ${MAX_CONNECTIONS} connections, ${MAX_DURATION_SEC} s.
Share targets set by the pool decide the hashing cost: point it at a pool with a low minimum
difficulty (the benchmark does), or expect ~difficulty hashes per share.

Options:
  --url HOST:PORT        pool (sv2) or translator / V1 pool (v1) address (required)
  --mode sv2|v1          protocol (default sv2)
  --authority-key KEY    pool authority public key (sv2, required)
  --connections N        simulated miners (default 100)
  --rate R               aggregate shares per second (default 1000)
  --duration S           measurement seconds (default 10)
  --in-flight N          most unacknowledged shares per connection (default 64)
  --warmup S             seconds of load before the measurement window (default 0)
  --user PREFIX          user names PREFIX0, PREFIX1, ... (default loadgen.sim)
  --json                 print the report as JSON`,
  options: {
    url: { type: 'string' },
    mode: { type: 'string' },
    'authority-key': { type: 'string' },
    connections: { type: 'string' },
    rate: { type: 'string' },
    duration: { type: 'string' },
    'in-flight': { type: 'string' },
    warmup: { type: 'string' },
    user: { type: 'string' },
    json: { type: 'boolean' },
  },
  async run({ values }) {
    if (!values.url) throw new UsageError('--url is required');
    let target: { host: string; port: number };
    try {
      target = parseHostPort(values.url as string);
    } catch (err) {
      throw new UsageError(`--url: ${(err as Error).message}`);
    }
    const mode = (values.mode as string | undefined) ?? 'sv2';
    if (mode !== 'sv2' && mode !== 'v1') throw new UsageError('--mode must be sv2 or v1');
    const key = values['authority-key'] as string | undefined;
    if (mode === 'sv2' && !key) throw new UsageError('--authority-key is required in sv2 mode');
    const num = (name: string, fallback: number) => {
      const v = values[name];
      const n = v === undefined ? fallback : Number(v);
      if (!Number.isFinite(n) || n <= 0) throw new UsageError(`--${name} must be a positive number`);
      return n;
    };
    let report;
    try {
      report = await runLoad({
        ...target,
        mode,
        authorityPublicKey: key,
        connections: Math.floor(num('connections', 100)),
        rate: num('rate', 1000),
        durationSec: num('duration', 10),
        maxInFlight: Math.floor(num('in-flight', 64)),
        warmupSec: warmup(values.warmup),
        user: values.user as string | undefined,
      });
    } catch (err) {
      if (err instanceof RangeError) throw new UsageError(err.message);
      if (err instanceof LoadError) {
        console.error(`eaglepool loadgen: ${err.message}`);
        return 1;
      }
      throw err;
    }
    if (values.json) {
      console.log(JSON.stringify(report, null, 2));
    } else {
      const r = report;
      const perShare =
        r.accepted + r.rejected > 0 ? (r.bytesWritten + r.bytesRead) / (r.accepted + r.rejected) : 0;
      console.log(
        `loadgen ${r.mode}: ${r.connections} connections, ${r.durationSec.toFixed(1)} s: ` +
          `submitted ${r.submitted}, accepted ${r.accepted} (${r.acceptedPerSec.toFixed(0)}/s), rejected ${r.rejected}` +
          (r.skipped ? `, skipped ${r.skipped}` : '') +
          `\nlatency ms p50 ${r.latencyMs.p50.toFixed(2)} p90 ${r.latencyMs.p90.toFixed(2)} ` +
          `p99 ${r.latencyMs.p99.toFixed(2)} p99.9 ${r.latencyMs.p999.toFixed(2)} max ${r.latencyMs.max.toFixed(2)}` +
          ` (from schedule: p99 ${r.fromScheduleMs.p99.toFixed(2)}; send lag p99 ${r.sendLagMs.p99.toFixed(2)})` +
          `\nload generator: ${r.client.cores.toFixed(2)} cores, event-loop delay p99 ` +
          `${r.client.eventLoopDelayMs.p99.toFixed(2)} ms, ${r.client.gc.count} GCs (max ${r.client.gc.maxMs.toFixed(2)} ms)` +
          (r.machine
            ? `\nmachine: ${r.machine.busyCores.toFixed(2)} cores busy, CPU pressure ${r.machine.cpuPressurePct.toFixed(1)} %`
            : '') +
          `\nbytes: ${r.bytesWritten} written, ${r.bytesRead} read, ${perShare.toFixed(1)} per share round trip` +
          (Object.keys(r.rejectReasons).length ? `\nrejects: ${JSON.stringify(r.rejectReasons)}` : ''),
      );
    }
    return report.rejected > 0 ? 1 : 0;
  },
};
