/**
 * Splits submit → acknowledgement latency into phases by joining the load generator's per-share
 * trace with the server's per-socket stamps (both on the CLOCK_MONOTONIC scale):
 *
 *   to server   client socket write → server 'data' event (kernel + wait for the server's loop)
 *   in server   server 'data' event → server socket write of the acknowledgement
 *   to client   server write → client decoded the acknowledgement (kernel + client's loop)
 *
 * Matching works per connection (the client's local port is the server's remote port): the
 * acknowledgement is the newest server write on that port at or before the client decoded it,
 * and the share is the newest server read at or before that write. It assumes roughly one share
 * in flight per connection, as a paced run at a few hundred shares/s per connection has.
 */
import { LatencyHistogram, type LatencySummary } from './histogram.js';
import type { LoadTrace } from './loadgen.js';

/** Server-side socket events, in time order (ms, CLOCK_MONOTONIC). */
export interface ServerTrace {
  port: Uint16Array;
  at: Float64Array;
  /** 0 = data event (bytes read), 1 = socket write. */
  kind: Uint8Array;
}

export interface PhaseReport {
  /** Shares matched to server events (others had no event on their port before the ack). */
  matched: number;
  toServer: LatencySummary;
  inServer: LatencySummary;
  toClient: LatencySummary;
  /** The phases of the shares whose total latency is in the slowest 1 %: where the tail comes from. */
  tail: {
    count: number;
    toServerMean: number;
    inServerMean: number;
    toClientMean: number;
    /** Share of them that waited on a server GC pause (client write → server read overlaps one). */
    serverGc: number;
    /** Share of them that waited on a client GC pause (server write → client decode overlaps one). */
    clientGc: number;
  };
  /** The same two shares over all matched shares, for comparison. */
  all: { serverGc: number; clientGc: number };
}

/** GC pauses of one process, in time order (start on the CLOCK_MONOTONIC ms scale, duration ms). */
export interface GcPauses {
  start: readonly number[];
  duration: readonly number[];
}

/** Whether [from, to] overlaps one of the pauses. */
function overlapsPause(p: GcPauses | undefined, from: number, to: number): boolean {
  if (!p || p.start.length === 0) return false;
  let lo = 0;
  let hi = p.start.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (p.start[mid]! <= to) lo = mid + 1;
    else hi = mid;
  }
  return lo > 0 && p.start[lo - 1]! + p.duration[lo - 1]! >= from;
}

/** Index of the last element of sorted `a` that is ≤ t, or -1. */
function lastAtOrBefore(a: Float64Array, t: number): number {
  let lo = 0;
  let hi = a.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (a[mid]! <= t) lo = mid + 1;
    else hi = mid;
  }
  return lo - 1;
}

function byPort(server: ServerTrace, kind: number): Map<number, Float64Array> {
  const lists = new Map<number, number[]>();
  for (let i = 0; i < server.at.length; i++) {
    if (server.kind[i] !== kind) continue;
    const port = server.port[i]!;
    let l = lists.get(port);
    if (!l) lists.set(port, (l = []));
    l.push(server.at[i]!);
  }
  const out = new Map<number, Float64Array>();
  for (const [port, l] of lists) out.set(port, Float64Array.from(l));
  return out;
}

export function splitPhases(
  client: LoadTrace,
  server: ServerTrace,
  gc: { server?: GcPauses; client?: GcPauses } = {},
): PhaseReport {
  const reads = byPort(server, 0);
  const writes = byPort(server, 1);
  const n = client.sentAt.length;
  const phases = {
    toServer: new Float64Array(n),
    inServer: new Float64Array(n),
    toClient: new Float64Array(n),
  };
  const total = new Float64Array(n);
  const serverGc = new Uint8Array(n);
  const clientGc = new Uint8Array(n);
  let allServerGc = 0;
  let allClientGc = 0;
  const hist = {
    toServer: new LatencyHistogram(),
    inServer: new LatencyHistogram(),
    toClient: new LatencyHistogram(),
  };
  let matched = 0;
  for (let i = 0; i < n; i++) {
    const port = client.port[i]!;
    const w = writes.get(port);
    const r = reads.get(port);
    if (!w || !r) continue;
    const wi = lastAtOrBefore(w, client.ackAt[i]!);
    if (wi < 0) continue;
    const ri = lastAtOrBefore(r, w[wi]!);
    if (ri < 0 || r[ri]! < client.sentAt[i]! - 1) continue; // that read was an earlier share's
    const toServer = Math.max(0, r[ri]! - client.sentAt[i]!);
    const inServer = w[wi]! - r[ri]!;
    const toClient = client.ackAt[i]! - w[wi]!;
    phases.toServer[matched] = toServer;
    phases.inServer[matched] = inServer;
    phases.toClient[matched] = toClient;
    total[matched] = client.ackAt[i]! - client.sentAt[i]!;
    serverGc[matched] = overlapsPause(gc.server, client.sentAt[i]!, r[ri]!) ? 1 : 0;
    clientGc[matched] = overlapsPause(gc.client, w[wi]!, client.ackAt[i]!) ? 1 : 0;
    allServerGc += serverGc[matched]!;
    allClientGc += clientGc[matched]!;
    hist.toServer.record(toServer);
    hist.inServer.record(inServer);
    hist.toClient.record(toClient);
    matched++;
  }
  // The slowest 1 % by total latency, and what their time was spent on.
  const order = Array.from({ length: matched }, (_, i) => i).sort((a, b) => total[b]! - total[a]!);
  const tailCount = Math.ceil(matched / 100);
  const mean = (a: Float64Array | Uint8Array) => {
    let sum = 0;
    for (let j = 0; j < tailCount; j++) sum += a[order[j]!]!;
    return tailCount ? sum / tailCount : 0;
  };
  return {
    matched,
    toServer: hist.toServer.summary(),
    inServer: hist.inServer.summary(),
    toClient: hist.toClient.summary(),
    tail: {
      count: tailCount,
      toServerMean: mean(phases.toServer),
      inServerMean: mean(phases.inServer),
      toClientMean: mean(phases.toClient),
      serverGc: mean(serverGc),
      clientGc: mean(clientGc),
    },
    all: { serverGc: matched ? allServerGc / matched : 0, clientGc: matched ? allClientGc / matched : 0 },
  };
}
