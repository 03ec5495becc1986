/**
 * Load generator: N simulated miners over real loopback TCP, speaking SV2 (Noise, one standard
 * channel each) or CKB Stratum V1, submitting valid shares at an aggregate rate for a fixed
 * time. Measures accepted / rejected shares, submit → acknowledgement latency and the bytes on
 * the wire (counted on the client sockets) during the measurement window.
 *
 * Pacing (see Pacer): every connection submits on its own evenly spaced schedule; latency is
 * measured from the moment the share's bytes were handed to the socket to the moment its
 * acknowledgement was decoded, and the generator's own lateness (actual − scheduled send time)
 * is reported separately. The process's CPU, event-loop delay and GC pauses during the window
 * come with the report, so a tail caused by the generator itself is visible as such.
 *
 * Bounded: at most MAX_CONNECTIONS connections and MAX_DURATION_SEC seconds; refuses
 * non-loopback targets.
 */
import net from 'node:net';
import { targetToBytesBE, u256LEToTarget } from '../ckb/target.js';
import type { Sv2Message } from '../sv2/index.js';
import { MiningSetupFlags, miningSetupConnection } from '../sv2/index.js';
import { connectSv2, type Sv2Session } from '../sv2-net/session.js';
import { LineDecoder, parsePoolLine } from '../mining/v1-wire.js';
import { LatencyHistogram, type LatencySummary } from './histogram.js';
import { InFlight, type SettledSink } from './in-flight.js';
import {
  MachineMonitor,
  ProcessMonitor,
  monotonicOffsetMs,
  type MachineStats,
  type ProcessStats,
} from './monitor.js';
import { JobHashers, ShareFinder } from './nonces.js';
import { Pacer } from './pacer.js';

/** Longest line accepted from a V1 pool; anything longer is not a pool talking. */
const MAX_POOL_LINE = 64 * 1024;

export const MAX_CONNECTIONS = 20_000;
export const MAX_DURATION_SEC = 600;
const DEFAULT_MAX_IN_FLIGHT = 64;
/** Most shares a trace keeps (the rest of the window is still measured). */
const TRACE_LIMIT = 2_000_000;
/**
 * Shares sent per event-loop turn before yielding (setImmediate) when several are due: the
 * acknowledgements that arrived meanwhile are handled between sends instead of after a whole
 * timer tick's burst, and each share's send stamp is at most this many writes late.
 */
const SENDS_PER_TURN = 4;

export interface LoadOptions {
  host: string;
  port: number;
  mode: 'sv2' | 'v1';
  connections: number;
  /** Aggregate shares per second (all connections together). */
  rate: number;
  durationSec: number;
  /** SV2 only. */
  authorityPublicKey?: Uint8Array | string;
  /** User names are `${user}${index}`. */
  user?: string;
  /** Most unacknowledged shares per connection (a share due on a full connection is skipped). */
  maxInFlight?: number;
  /** Seconds of load at the same rate before the measurement window (default 0). */
  warmupSec?: number;
  /** Keep every measured share's send and acknowledgement time (see LoadTrace); default off. */
  trace?: boolean;
  /** Connections opened concurrently during ramp-up. */
  connectParallel?: number;
  /**
   * Shares sent per event-loop turn when several are due (default SENDS_PER_TURN = 4, for
   * latency). A saturating run raises it: a connection's shares of one turn leave in one write,
   * as a busy proxy's would, so the generator's own syscalls do not bound the load.
   */
  sendsPerTurn?: number;
  /** Called (not awaited) when the measurement window begins, after any warm-up. */
  onMeasureStart?: () => void;
  /**
   * Awaited right before the load starts (before any warm-up) and right after the measurement
   * window (e.g. to read server-side counters).
   */
  onWindowStart?: () => Promise<void> | void;
  onWindowEnd?: () => Promise<void> | void;
}

export interface LoadReport {
  mode: 'sv2' | 'v1';
  connections: number;
  durationSec: number;
  submitted: number;
  accepted: number;
  rejected: number;
  /** Shares due in the window but not submitted (connection not ready, at maxInFlight, no nonce). */
  skipped: number;
  acceptedPerSec: number;
  /** Submit → acknowledgement, from the share's socket write to its acknowledgement's decoding. */
  latencyMs: LatencySummary;
  /** Generator lateness: actual socket write − scheduled send time. */
  sendLagMs: LatencySummary;
  /** Scheduled send time → acknowledgement: the latency plus the generator's own lateness. */
  fromScheduleMs: LatencySummary;
  /** This (the generator's) process during the window. */
  client: ProcessStats;
  /** The whole machine during the window (Linux; absent elsewhere): other work shows up here. */
  machine?: MachineStats;
  trace?: LoadTrace;
  /** Client socket bytes during the window (written = to the server). */
  bytesWritten: number;
  bytesRead: number;
  rejectReasons: Record<string, number>;
}

/**
 * Per-share times of the measurement window, for phase analysis against server-side stamps:
 * ms on the CLOCK_MONOTONIC scale (process.hrtime), comparable across processes of one machine.
 */
export interface LoadTrace {
  /** The connection's local TCP port (the server sees it as the remote port). */
  port: Uint16Array;
  sentAt: Float64Array;
  ackAt: Float64Array;
}

/** A simulated miner: connection, current work, in-flight shares. */
interface SimMiner {
  readonly socket: net.Socket;
  readonly inFlight: InFlight;
  ready(): boolean;
  /** Submits one share scheduled for `intended`; its sequence number, or -1 when none could be made. */
  submit(intended: number, now: number): number;
  close(): void;
}

/** Accounts settled shares of the measurement window: one per simulated miner (knows its port). */
class Accounting {
  counting = false;
  countFrom = 0;
  countUntil = Number.POSITIVE_INFINITY;
  accepted = 0;
  rejected = 0;
  readonly latency = new LatencyHistogram();
  readonly sendLag = new LatencyHistogram();
  readonly fromSchedule = new LatencyHistogram();
  readonly rejectReasons: Record<string, number> = {};
  private trace: LoadTrace | undefined;
  private traced = 0;

  constructor(traceLimit: number) {
    if (traceLimit > 0)
      this.trace = {
        port: new Uint16Array(traceLimit),
        sentAt: new Float64Array(traceLimit),
        ackAt: new Float64Array(traceLimit),
      };
  }

  inWindow(intended: number): boolean {
    return this.counting && intended >= this.countFrom && intended < this.countUntil;
  }

  sinkFor(port: () => number): SettledSink {
    return {
      settled: (intended, sent, accepted, reason) => {
        if (!this.inWindow(intended)) return;
        const now = performance.now();
        this.latency.record(now - sent);
        this.sendLag.record(sent - intended);
        this.fromSchedule.record(now - intended);
        if (accepted) this.accepted++;
        else {
          this.rejected++;
          const r = reason ?? 'rejected';
          this.rejectReasons[r] = (this.rejectReasons[r] ?? 0) + 1;
        }
        const t = this.trace;
        if (t && this.traced < t.sentAt.length) {
          t.port[this.traced] = port();
          t.sentAt[this.traced] = sent;
          t.ackAt[this.traced] = now;
          this.traced++;
        }
      },
    };
  }

  /** The trace, cut to the shares recorded and moved to the CLOCK_MONOTONIC scale. */
  takeTrace(): LoadTrace | undefined {
    const t = this.trace;
    if (!t) return undefined;
    const offset = monotonicOffsetMs();
    const n = this.traced;
    const sentAt = t.sentAt.slice(0, n);
    const ackAt = t.ackAt.slice(0, n);
    for (let i = 0; i < n; i++) {
      sentAt[i]! += offset;
      ackAt[i]! += offset;
    }
    return { port: t.port.slice(0, n), sentAt, ackAt };
  }
}

/** The run could not be carried out (connections refused, no work); the message says why. */
export class LoadError extends Error {
  override readonly name = 'LoadError';
}

export function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host);
}

type Of<T extends Sv2Message['type']> = Extract<Sv2Message, { type: T }>;

class Sv2Sim implements SimMiner {
  private channelId = 0;
  private prefix = new Uint8Array(0);
  private jobId = -1;
  private ntime = 0;
  private readonly future = new Map<number, Of<'NewMiningJob'>>();
  private powHashHex = '';
  private targetBE: Uint8Array = new Uint8Array(32).fill(0xff);
  readonly inFlight: InFlight;
  private readonly finder: ShareFinder;

  private constructor(
    readonly socket: net.Socket,
    private readonly session: Sv2Session,
    hashers: JobHashers,
    sink: SettledSink,
    capacity: number,
  ) {
    this.finder = new ShareFinder(hashers);
    this.inFlight = new InFlight(capacity, sink);
    session.onMessage((m) => this.onMessage(m));
  }

  static async open(opts: LoadOptions, index: number, hashers: JobHashers, acc: Accounting): Promise<Sv2Sim> {
    const socket = net.connect({ host: opts.host, port: opts.port });
    const session = await connectSv2({
      host: opts.host,
      port: opts.port,
      authorityPublicKey: opts.authorityPublicKey!,
      socket,
    });
    const sim = new Sv2Sim(socket, session, hashers, acc.sinkFor(portOf(socket)), ringSize(opts));
    session.send(
      miningSetupConnection({
        flags: MiningSetupFlags.RequiresStandardJobs,
        endpointHost: opts.host,
        endpointPort: opts.port,
        vendor: 'eaglepool-loadgen',
        deviceId: `sim${index}`,
      }),
    );
    session.send({
      type: 'OpenStandardMiningChannel',
      requestId: 1,
      userIdentity: `${opts.user ?? 'loadgen.sim'}${index}`,
      nominalHashRate: 0,
      maxTarget: new Uint8Array(32).fill(0xff),
    });
    return sim;
  }

  ready(): boolean {
    return this.jobId >= 0 && !this.session.closed;
  }

  submit(intended: number, now: number): number {
    const nonce = this.finder.next();
    if (nonce === undefined) return -1;
    const seq = this.inFlight.add(intended, now);
    this.session.send({
      type: 'SubmitSharesStandard',
      channelId: this.channelId,
      sequenceNumber: seq,
      jobId: this.jobId,
      nonce,
      ntime: this.ntime,
      version: 0, // N[8..12] stays zero: the u32 nonce space is plenty for a load test
    });
    return seq;
  }

  close(): void {
    this.session.close('loadgen done');
  }

  private work(): void {
    if (this.jobId < 0) return;
    this.finder.reset(this.prefix, this.powHashHex, this.targetBE);
  }

  private onMessage(m: Sv2Message): void {
    switch (m.type) {
      case 'OpenStandardMiningChannelSuccess':
        this.channelId = m.channelId;
        this.prefix = Uint8Array.from(m.extranoncePrefix);
        this.targetBE = targetToBytesBE(u256LEToTarget(m.target));
        return;
      case 'NewMiningJob':
        if (m.minNtime === undefined) this.future.set(m.jobId, m);
        else this.activate(m, m.minNtime);
        return;
      case 'SetNewPrevHash': {
        const job = this.future.get(m.jobId);
        this.future.clear();
        if (job) this.activate(job, m.minNtime);
        return;
      }
      case 'SetTarget':
        this.targetBE = targetToBytesBE(u256LEToTarget(m.maximumTarget));
        this.finder.setTarget(this.targetBE);
        return;
      case 'SubmitSharesSuccess':
        this.inFlight.acceptUpTo(m.lastSequenceNumber, m.newSubmitsAcceptedCount);
        return;
      case 'SubmitSharesError':
        this.inFlight.answer(m.sequenceNumber, false, m.errorCode);
        return;
      default:
        return;
    }
  }

  private activate(job: Of<'NewMiningJob'>, ntime: number): void {
    this.jobId = job.jobId;
    this.ntime = ntime;
    this.powHashHex = Buffer.from(job.merkleRoot).toString('hex');
    this.work();
  }
}

class V1Sim implements SimMiner {
  private en1 = new Uint8Array(0);
  private en1Len = 0;
  private jobId: string | undefined;
  private powHashHex = '';
  private targetBE: Uint8Array = new Uint8Array(32).fill(0xff);
  readonly inFlight: InFlight;
  private readonly finder: ShareFinder;
  private readonly lines = new LineDecoder(MAX_POOL_LINE);
  private closed = false;

  private constructor(
    readonly socket: net.Socket,
    private readonly user: string,
    hashers: JobHashers,
    sink: SettledSink,
    capacity: number,
  ) {
    this.finder = new ShareFinder(hashers);
    this.inFlight = new InFlight(capacity, sink);
    socket.setNoDelay(true);
    socket.on('data', (c: Buffer) => this.onData(c));
    socket.on('error', () => {});
    socket.on('close', () => (this.closed = true));
  }

  static open(opts: LoadOptions, index: number, hashers: JobHashers, acc: Accounting): Promise<V1Sim> {
    return new Promise((resolve, reject) => {
      const socket = net.connect({ host: opts.host, port: opts.port }, () => {
        const user = `${opts.user ?? 'loadgen.sim'}${index}`;
        const sim = new V1Sim(socket, user, hashers, acc.sinkFor(portOf(socket)), ringSize(opts));
        socket.off('error', reject);
        socket.write(
          `{"id":1,"method":"mining.subscribe","params":["eaglepool-loadgen",null]}\n` +
            `{"id":2,"method":"mining.authorize","params":["${sim.user}","x"]}\n`,
        );
        resolve(sim);
      });
      socket.once('error', reject);
    });
  }

  ready(): boolean {
    return this.jobId !== undefined && !this.closed;
  }

  submit(intended: number, now: number): number {
    if (this.jobId === undefined) return -1;
    const nonce = this.finder.next();
    if (nonce === undefined) return -1;
    const n = this.finder.base;
    const view = Buffer.from(n.buffer, n.byteOffset, 16);
    const en2 = view.toString('hex', this.en1Len, 12) + u32LEHex(nonce);
    const seq = this.inFlight.add(intended, now);
    this.socket.write(
      `{"id":${seq + V1_FIRST_SHARE_ID},"method":"mining.submit","params":["${this.user}","${this.jobId}","${en2}"]}\n`,
    );
    return seq;
  }

  close(): void {
    this.socket.end();
  }

  private onData(chunk: Buffer): void {
    let lines: string[];
    try {
      lines = this.lines.push(chunk);
    } catch {
      this.socket.destroy(); // a line longer than any pool message: not a pool
      return;
    }
    for (const line of lines) this.onLine(line);
  }

  private onLine(line: string): void {
    const m = parsePoolLine(line);
    if (!m) return;
    if (typeof m.id === 'number' && m.method === undefined) {
      if (m.id >= V1_FIRST_SHARE_ID) {
        const reason = Array.isArray(m.error) ? String(m.error[1]) : undefined;
        this.inFlight.answer(m.id - V1_FIRST_SHARE_ID, m.result === true, reason);
      } else if (m.id === 1 && Array.isArray(m.result)) {
        this.setExtranonce(String(m.result[1]));
      }
      return;
    }
    const p = Array.isArray(m.params) ? m.params : [];
    if (m.method === 'mining.set_target' && typeof p[0] === 'string') {
      this.targetBE = Uint8Array.from(Buffer.from(p[0], 'hex'));
      this.finder.setTarget(this.targetBE);
    } else if (m.method === 'mining.set_extranonce' && typeof p[0] === 'string') {
      this.setExtranonce(p[0]);
      this.jobId = undefined;
    } else if (m.method === 'mining.notify' && typeof p[0] === 'string' && typeof p[1] === 'string') {
      if (this.jobId === p[0] && this.powHashHex === p[1]) return; // resent after set_target
      this.jobId = p[0];
      this.powHashHex = p[1];
      this.finder.reset(this.en1, this.powHashHex, this.targetBE);
    }
  }

  private setExtranonce(hex: string): void {
    this.en1 = Uint8Array.from(Buffer.from(hex, 'hex'));
    this.en1Len = this.en1.length;
  }
}

/** V1 request ids: 1 and 2 are subscribe and authorize; share k is sent with id k + 10. */
const V1_FIRST_SHARE_ID = 10;

function portOf(socket: net.Socket): () => number {
  return () => socket.localPort ?? 0;
}

/** In-flight ring per connection: room for maxInFlight shares. */
function ringSize(opts: LoadOptions): number {
  return Math.max(1, opts.maxInFlight ?? DEFAULT_MAX_IN_FLIGHT);
}

function u32LEHex(v: number): string {
  const b = Buffer.allocUnsafe(4);
  b.writeUInt32LE(v >>> 0, 0);
  return b.toString('hex');
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Refuses what the load generator must not do (non-loopback targets, absurd sizes). */
function checkLoadOptions(opts: LoadOptions): void {
  if (!isLoopback(opts.host)) throw new RangeError(`loadgen targets loopback only, not ${opts.host}`);
  if (!Number.isInteger(opts.connections) || opts.connections < 1 || opts.connections > MAX_CONNECTIONS)
    throw new RangeError(`connections must be in [1, ${MAX_CONNECTIONS}]`);
  const warmupSec = opts.warmupSec ?? 0;
  if (!(opts.durationSec > 0 && warmupSec >= 0 && opts.durationSec + warmupSec <= MAX_DURATION_SEC))
    throw new RangeError(`duration (+ warm-up) must be in (0, ${MAX_DURATION_SEC}] s`);
  if (!(opts.rate > 0)) throw new RangeError('rate must be > 0');
  if (opts.mode === 'sv2' && opts.authorityPublicKey === undefined)
    throw new RangeError('sv2 mode needs the authority public key');
}

/** Opens the miners (`connectParallel` at a time) into `sims` and waits until every one has work. */
async function openAll(
  opts: LoadOptions,
  hashers: JobHashers,
  acc: Accounting,
  sims: SimMiner[],
): Promise<void> {
  const parallel = opts.connectParallel ?? 64;
  for (let i = 0; i < opts.connections; i += parallel) {
    const batch = await Promise.allSettled(
      Array.from({ length: Math.min(parallel, opts.connections - i) }, (_, j) =>
        opts.mode === 'sv2' ? Sv2Sim.open(opts, i + j, hashers, acc) : V1Sim.open(opts, i + j, hashers, acc),
      ),
    );
    let failure: unknown;
    for (const r of batch) {
      if (r.status === 'fulfilled') sims.push(r.value);
      else failure ??= r.reason;
    }
    if (failure !== undefined)
      throw new LoadError(`connection ${sims.length + 1} of ${opts.connections} failed: ${String(failure)}`);
  }
  const readyBy = Date.now() + 30_000;
  while (!sims.every((s) => s.ready())) {
    if (Date.now() > readyBy) throw new LoadError('miners did not all get work within 30 s');
    await sleep(20);
  }
}

/** Runs one load test and reports. Connections are closed at the end. */
export async function runLoad(opts: LoadOptions): Promise<LoadReport> {
  checkLoadOptions(opts);
  const warmupSec = opts.warmupSec ?? 0;
  const hashers = new JobHashers();
  // Room for every share the window schedules (rate × duration), within TRACE_LIMIT.
  const traceSize = Math.min(TRACE_LIMIT, Math.ceil(opts.rate * opts.durationSec) + 16);
  const acc = new Accounting(opts.trace ? traceSize : 0);
  const sims: SimMiner[] = [];
  try {
    await openAll(opts, hashers, acc, sims);

    const maxInFlight = ringSize(opts);
    const bytes = () => {
      let w = 0;
      let r = 0;
      for (const s of sims) {
        w += s.socket.bytesWritten;
        r += s.socket.bytesRead;
      }
      return { w, r };
    };
    await sleep(100); // let setup traffic settle before counting bytes
    await opts.onWindowStart?.();
    const monitor = new ProcessMonitor({ keepPauses: opts.trace ?? false });
    const start = performance.now();
    const pacer = new Pacer(opts.rate, sims.length, start);
    acc.countFrom = start + warmupSec * 1000;
    acc.countUntil = acc.countFrom + opts.durationSec * 1000;
    acc.counting = true;
    let b0: { w: number; r: number } | undefined;
    const machine = new MachineMonitor();
    const measureStart = () => {
      b0 = bytes();
      monitor.start();
      machine.start();
      opts.onMeasureStart?.();
    };
    const counts = await pace(
      sims,
      pacer,
      acc,
      maxInFlight,
      opts.sendsPerTurn ?? SENDS_PER_TURN,
      measureStart,
    );
    if (b0 === undefined) measureStart(); // no share fell due in the window (rate below 1 / duration)
    const elapsedSec = (performance.now() - acc.countFrom) / 1000;
    // Wait (bounded) for the acknowledgements of the last shares.
    const drainBy = Date.now() + 5000;
    while (acc.accepted + acc.rejected < counts.submitted && Date.now() < drainBy) await sleep(10);
    const client = monitor.stop();
    const machineStats = machine.stop();
    const b1 = bytes();
    acc.counting = false;
    await opts.onWindowEnd?.();
    return {
      mode: opts.mode,
      connections: sims.length,
      durationSec: elapsedSec,
      submitted: counts.submitted,
      accepted: acc.accepted,
      rejected: acc.rejected,
      skipped: counts.skipped,
      acceptedPerSec: acc.accepted / elapsedSec,
      latencyMs: acc.latency.summary(),
      sendLagMs: acc.sendLag.summary(),
      fromScheduleMs: acc.fromSchedule.summary(),
      client,
      ...(machineStats ? { machine: machineStats } : {}),
      trace: acc.takeTrace(),
      bytesWritten: b1.w - b0!.w,
      bytesRead: b1.r - b0!.r,
      rejectReasons: acc.rejectReasons,
    };
  } finally {
    for (const s of sims) s.close();
    hashers.free();
  }
}

/**
 * Sends every share as it comes due until the window ends: a timer wakes the generator for the
 * next due share (Node timers fire at 1 ms granularity, so at high rates several are due per
 * wake-up), and while shares are due it sends `sendsPerTurn` per turn and yields. It never
 * spins: with nothing due the event loop sleeps. A share is stamped as sent once its bytes were
 * handed to the socket: the session writes a turn's output on process.nextTick, and the
 * stamping tick is queued after it.
 */
function pace(
  sims: readonly SimMiner[],
  pacer: Pacer,
  acc: Accounting,
  maxInFlight: number,
  sendsPerTurn: number,
  onWindowStart: () => void,
): Promise<{ submitted: number; skipped: number }> {
  let submitted = 0;
  let skipped = 0;
  let windowStarted = false;
  const batchSims: SimMiner[] = [];
  const batchSeqs: number[] = [];
  const stamp = () => {
    const now = performance.now();
    for (let i = 0; i < batchSims.length; i++) batchSims[i]!.inFlight.setSent(batchSeqs[i]!, now);
    batchSims.length = 0;
    batchSeqs.length = 0;
  };
  return new Promise((resolve) => {
    const tick = () => {
      const now = performance.now();
      // Saturating (a rate the generator cannot keep up with), the schedule falls behind the
      // clock: the window still ends on time.
      if (now >= acc.countUntil) return resolve({ submitted, skipped });
      for (let n = 0, k = pacer.take(now); k >= 0; k = ++n < sendsPerTurn ? pacer.take(now) : -1) {
        const intended = pacer.dueAt(k);
        if (intended >= acc.countUntil) return resolve({ submitted, skipped });
        if (!windowStarted && intended >= acc.countFrom) {
          windowStarted = true;
          onWindowStart();
        }
        const counted = intended >= acc.countFrom;
        const sim = sims[pacer.connectionOf(k)]!;
        const seq = sim.ready() && sim.inFlight.span < maxInFlight ? sim.submit(intended, now) : -1;
        if (seq < 0) {
          if (counted) skipped++;
          continue;
        }
        if (counted) submitted++;
        batchSims.push(sim);
        batchSeqs.push(seq);
      }
      if (batchSims.length > 0) process.nextTick(stamp);
      const wait = pacer.nextDue() - performance.now();
      if (wait <= 0) setImmediate(tick);
      else setTimeout(tick, wait);
    };
    tick();
  });
}
