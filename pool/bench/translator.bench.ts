/**
 * V1 (through the translator) vs SV2 (direct to the pool), side by side, with the load
 * generator over loopback TCP. The servers run in a child process (translator-servers.child.ts);
 * the simulated miners run here.
 *
 * 1. Paced: 50 miners, 250 shares/s in total, one share in flight per miner (every share gets
 *    its own acknowledgement): submit → ack latency and bytes per share round trip.
 * 2. Paced, not waiting: the same rate, but miners submit without waiting for acknowledgements
 *    (as SV2 devices do), so an ack window can batch them.
 * 3. Saturated: 100 miners, up to 32 shares in flight each: shares/s and bytes per share when
 *    acknowledgements batch (SV2 SubmitShares.Success covers several shares).
 * SV2 runs go to a pool acknowledging at the end of each read turn (ack window 0) and to one
 * with an ack window (EAGLEPOOL_BENCH_ACK_WINDOW_MS, default 2,000 ms = 10 shares at 5 shares/s).
 * 4. V1 with short worker names (<= 32 bytes): the translator names each worker in a
 *    user_identity TLV (extension 0x0002) on its SV2 link, which the last column measures (the
 *    CKB-address names of the other V1 runs go in Eaglepool's longer TLV, extension 0x4e01).
 * 5. 5,000 V1 miners on one translator at 2,000 shares/s.
 * Bytes are counted on both ends: the miners' sockets, and a counting relay in front of each
 * server (the server end of the same streams). No job changes during the windows, so the
 * figures are pure share round trips (submit + acknowledgement).
 */
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { runLoad, type LoadReport } from '../src/loadgen/index.js';
import { fmt, table, type BenchSection } from './measure.js';

type Server = 'pool' | 'windowed' | 'translator';
type Ports = { authority: string } & Record<Server, number>;
type Counts = { toServer: number; toClient: number };
type RelayBytes = Record<Server | 'upstream', Counts>;

function ask<T>(child: ChildProcess, msg: Record<string, unknown>): Promise<T> {
  return new Promise((resolve) => {
    child.once('message', (m) => resolve(m as T));
    child.send(msg);
  });
}

interface Row {
  name: string;
  server: Server;
  report: LoadReport;
  serverBytes: number;
  /** V1 runs: bytes on the translator's SV2 link to the pool. */
  upstreamBytes: number;
}

/** A 46-character CKB address + worker, as real miners send them (over 32 bytes: TLV 0x4e01). */
const CKB_USER = 'ckb1qyq2znu0gempdahctxsm49sa9jdzq9vnka7qt9ntff.rig';
/** A short account.worker name: fits the user_identity TLV. */
const SHORT_USER = 'acct.rig';

async function run(
  child: ChildProcess,
  ports: Ports,
  name: string,
  server: Server,
  user: string,
  load: { connections: number; rate: number; maxInFlight: number; durationSec: number },
): Promise<Row> {
  let before: RelayBytes | undefined;
  let after: RelayBytes | undefined;
  const report = await runLoad({
    host: '127.0.0.1',
    port: ports[server],
    mode: server === 'translator' ? 'v1' : 'sv2',
    authorityPublicKey: ports.authority,
    user,
    ...load,
    onWindowStart: async () => void (before = await ask<RelayBytes>(child, { cmd: 'bytes' })),
    onWindowEnd: async () => void (after = await ask<RelayBytes>(child, { cmd: 'bytes' })),
  });
  const delta = (side: Server | 'upstream') =>
    after![side].toServer + after![side].toClient - before![side].toServer - before![side].toClient;
  return { name, server, report, serverBytes: delta(server), upstreamBytes: delta('upstream') };
}

function perShare(bytes: number, r: LoadReport): number {
  const n = r.accepted + r.rejected;
  return n > 0 ? bytes / n : 0;
}

const minerBytes = (row: Row) => perShare(row.report.bytesWritten + row.report.bytesRead, row.report);

export default async function translatorBench(): Promise<BenchSection> {
  const ackWindowMs = Number(process.env.EAGLEPOOL_BENCH_ACK_WINDOW_MS ?? 2000);
  const script = fileURLToPath(new URL('./translator-servers.child.ts', import.meta.url));
  const child = fork(script, [], { execArgv: ['--import', 'tsx'], stdio: 'inherit' });
  try {
    const ports = await ask<Ports>(child, { cmd: 'start', ackWindowMs });
    const paced = { connections: 50, rate: 250, maxInFlight: 1, durationSec: 3 };
    // Long enough for many windows: the bytes of the window's edges are a small part.
    const notWaiting = { connections: 50, rate: 250, maxInFlight: 64, durationSec: 8 };
    const saturated = { connections: 100, rate: 200_000, maxInFlight: 32, durationSec: 4 };
    const rows: Row[] = [];
    const windowLabel = `ack window ${ackWindowMs} ms`;
    for (const [kind, load] of [
      ['paced', paced],
      ['paced, not waiting', notWaiting],
      ['saturated', saturated],
    ] as const) {
      rows.push(await run(child, ports, `sv2 ${kind}`, 'pool', CKB_USER, load));
      if (kind !== 'paced')
        rows.push(await run(child, ports, `sv2 ${kind}, ${windowLabel}`, 'windowed', CKB_USER, load));
      rows.push(await run(child, ports, `v1 ${kind}`, 'translator', CKB_USER, load));
    }
    rows.push(
      await run(child, ports, 'v1 saturated, short names (TLV)', 'translator', SHORT_USER, saturated),
    );
    // Thousands of V1 miners on one translator (V1 connections are cheap to open; the SV2
    // stratum benchmark covers thousands of Noise connections).
    rows.push(
      await run(child, ports, 'v1 5,000 miners', 'translator', CKB_USER, {
        connections: 5000,
        rate: 2000,
        maxInFlight: 4,
        durationSec: 5,
      }),
    );
    const get = (name: string) => rows.find((r) => r.name === name)!;
    const ratio = (sv2: string, v1: string) => minerBytes(get(sv2)) / minerBytes(get(v1));
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
      rows.map((row) => {
        const r = row.report;
        const v1 = row.server === 'translator';
        return [
          v1 ? `${row.name} (V1 → translator → SV2 pool)` : `${row.name} (SV2 → pool)`,
          fmt(r.connections),
          fmt(r.acceptedPerSec),
          fmt(r.rejected),
          fmt(r.latencyMs.p50, 2),
          fmt(r.latencyMs.p99, 2),
          fmt(minerBytes(row), 1),
          fmt(perShare(row.serverBytes, r), 1),
          v1 ? fmt(perShare(row.upstreamBytes, r), 1) : '',
        ];
      }),
    );
    const ratios = (kind: string) =>
      `${ratio(`sv2 ${kind}`, `v1 ${kind}`).toFixed(2)}× (ack window 0), ` +
      `${ratio(`sv2 ${kind}, ${windowLabel}`, `v1 ${kind}`).toFixed(2)}× (${windowLabel})`;
    const summary =
      `SV2 / V1 bytes per share round trip: paced ${ratio('sv2 paced', 'v1 paced').toFixed(2)}× ` +
      `(one share in flight: one acknowledgement each, whatever the window); paced, not waiting ` +
      `${ratios('paced, not waiting')}; saturated ${ratios('saturated')}.`;
    const markdown = [
      'Load generator (`eaglepool loadgen`) over loopback TCP; servers in a child process (SV2 pools accepting',
      `every share, one acknowledging at the end of each read turn and one with a ${ackWindowMs} ms ack window`,
      '(`stratum.ackWindowMs`); translator with miner share difficulty 2 in front of the second). Paced: 250',
      'shares/s over 50 miners, one share in flight each (one acknowledgement per share). Paced, not waiting:',
      'the same rate, miners submit without waiting for acknowledgements (up to 64 in flight). Saturated: 100',
      'miners, 32 in flight each; then 5,000 V1 miners at 2,000 shares/s in total. Bytes per share round',
      'trip = submit + acknowledgement bytes on the miner ↔ server link during the window, counted on the',
      'miner sockets and by a relay at the server end. V1 user names are a 46-character CKB address + worker,',
      "as real miners send them, which the translator names per share in Eaglepool's long user_identity TLV",
      '(extension 0x4e01, up to 255 bytes), and "short names" (`acct.rigN`), named in the 0x0002 TLV (up to',
      "32 bytes). The last column is the translator's own SV2 link to the pool (one connection, one channel",
      'for all miners, acknowledgements batched by the ack window) per V1 share.',
      '',
      body,
      '',
      summary,
    ].join('\n');
    return { title: 'Translator: V1 vs SV2 on the wire', markdown };
  } finally {
    child.send({ cmd: 'stop' });
  }
}
