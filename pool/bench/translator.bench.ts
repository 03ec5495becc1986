/**
 * V1 (through the translator) vs SV2 (direct to the pool), side by side, with the load
 * generator over loopback TCP. The servers run in a child process (translator-servers.child.ts);
 * the simulated miners run here.
 *
 * 1. Paced: 50 miners, 250 shares/s in total, one share in flight per miner (every share gets
 *    its own acknowledgement): submit → ack latency and bytes per share round trip.
 * 2. Saturated: 100 miners, up to 32 shares in flight each: shares/s and bytes per share when
 *    acknowledgements batch (SV2 SubmitShares.Success covers several shares).
 * 3. 5,000 V1 miners on one translator at 2,000 shares/s.
 * Bytes are counted on both ends: the miners' sockets, and a counting relay in front of each
 * server (the server end of the same streams). No job changes during the windows, so the
 * figures are pure share round trips (submit + acknowledgement).
 */
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { runLoad, type LoadReport } from '../src/loadgen/index.js';
import { fmt, table, type BenchSection } from './measure.js';

interface Ports {
  authority: string;
  pool: number;
  translator: number;
  poolRelay: number;
  translatorRelay: number;
}
interface RelayBytes {
  pool: { toServer: number; toClient: number };
  translator: { toServer: number; toClient: number };
  upstream: { toServer: number; toClient: number };
}

function ask<T>(child: ChildProcess, cmd: string): Promise<T> {
  return new Promise((resolve) => {
    child.once('message', (m) => resolve(m as T));
    child.send({ cmd });
  });
}

interface Row {
  report: LoadReport;
  serverBytes: number;
  /** V1 runs: bytes on the translator's SV2 link to the pool. */
  upstreamBytes: number;
}

async function run(
  child: ChildProcess,
  ports: Ports,
  mode: 'sv2' | 'v1',
  relay: boolean,
  load: { connections: number; rate: number; maxInFlight: number; durationSec: number },
): Promise<Row> {
  let before: RelayBytes | undefined;
  let after: RelayBytes | undefined;
  const port =
    mode === 'sv2'
      ? relay
        ? ports.poolRelay
        : ports.pool
      : relay
        ? ports.translatorRelay
        : ports.translator;
  const report = await runLoad({
    host: '127.0.0.1',
    port,
    mode,
    authorityPublicKey: ports.authority,
    user: 'ckb1qyq2znu0gempdahctxsm49sa9jdzq9vnka7qt9ntff.rig',
    ...load,
    onWindowStart: async () => void (before = await ask<RelayBytes>(child, 'bytes')),
    onWindowEnd: async () => void (after = await ask<RelayBytes>(child, 'bytes')),
  });
  const side = mode === 'sv2' ? 'pool' : 'translator';
  const serverBytes =
    after![side].toServer + after![side].toClient - before![side].toServer - before![side].toClient;
  const upstreamBytes =
    after!.upstream.toServer +
    after!.upstream.toClient -
    before!.upstream.toServer -
    before!.upstream.toClient;
  return { report, serverBytes, upstreamBytes };
}

function perShare(bytes: number, r: LoadReport): number {
  const n = r.accepted + r.rejected;
  return n > 0 ? bytes / n : 0;
}

export default async function translatorBench(): Promise<BenchSection> {
  const script = fileURLToPath(new URL('./translator-servers.child.ts', import.meta.url));
  const child = fork(script, [], { execArgv: ['--import', 'tsx'], stdio: 'inherit' });
  try {
    const ports = await ask<Ports>(child, 'start');
    const paced = { connections: 50, rate: 250, maxInFlight: 1, durationSec: 3 };
    const saturated = { connections: 100, rate: 200_000, maxInFlight: 32, durationSec: 4 };
    const rows: [string, Row][] = [];
    for (const mode of ['sv2', 'v1'] as const) {
      rows.push([`${mode} paced`, await run(child, ports, mode, true, paced)]);
      rows.push([`${mode} saturated`, await run(child, ports, mode, true, saturated)]);
    }
    // Thousands of V1 miners on one translator (V1 connections are cheap to open; the SV2
    // stratum benchmark covers thousands of Noise connections).
    rows.push([
      'v1 5,000 miners',
      await run(child, ports, 'v1', true, { connections: 5000, rate: 2000, maxInFlight: 4, durationSec: 5 }),
    ]);
    const get = (name: string) => rows.find(([n]) => n === name)![1];
    const ratio = (name: string) => {
      const s = get(`sv2 ${name}`);
      const v = get(`v1 ${name}`);
      return (
        perShare(s.report.bytesWritten + s.report.bytesRead, s.report) /
        perShare(v.report.bytesWritten + v.report.bytesRead, v.report)
      );
    };
    const body = table(
      [
        'run',
        'miners',
        'accepted/s',
        'rejected',
        'p50 ms',
        'p99 ms',
        'bytes/share (miner end)',
        'bytes/share (server end)',
        'translator → pool bytes/share',
      ],
      rows.map(([name, { report: r, serverBytes, upstreamBytes }]) => [
        name.startsWith('v1') ? `${name} (V1 → translator → SV2 pool)` : `${name} (SV2 → pool)`,
        fmt(r.connections),
        fmt(r.acceptedPerSec),
        fmt(r.rejected),
        fmt(r.latencyMs.p50, 2),
        fmt(r.latencyMs.p99, 2),
        fmt(perShare(r.bytesWritten + r.bytesRead, r), 1),
        fmt(perShare(serverBytes, r), 1),
        name.startsWith('v1') ? fmt(perShare(upstreamBytes, r), 1) : '',
      ]),
    );
    const markdown = [
      'Load generator (`eaglepool loadgen`) over loopback TCP; servers in a child process (SV2 pool accepting',
      'every share; translator with miner share difficulty 2 in front of it). Paced: 250 shares/s over 50',
      'miners, one share in flight each (one acknowledgement per share). Saturated: 100 miners, 32 in flight',
      'each; then 5,000 V1 miners at 2,000 shares/s in total. Bytes per share round trip = submit + acknowledgement bytes on the miner ↔ server link during the',
      'window, counted on the miner sockets and by a relay at the server end. V1 user names are a 46-character',
      "CKB address + worker, as real miners send them. The last column is the translator's own SV2 link to the",
      'pool (one connection, one channel for all miners: acknowledgements batch) per V1 share.',
      '',
      body,
      '',
      `SV2 / V1 bytes per share round trip: paced ${ratio('paced').toFixed(2)}×, saturated ${ratio('saturated').toFixed(2)}×.`,
    ].join('\n');
    return { title: 'Translator: V1 vs SV2 on the wire', markdown };
  } finally {
    child.send({ cmd: 'stop' });
  }
}
