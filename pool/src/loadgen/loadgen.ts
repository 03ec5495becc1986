/**
 * Load generator: N simulated miners over real loopback TCP, speaking SV2 (Noise, one standard
 * channel each) or CKB Stratum V1, submitting valid shares at an aggregate rate for a fixed
 * time. Measures accepted / rejected shares, submit → acknowledgement latency and the bytes on
 * the wire (counted on the client sockets) during the measurement window.
 *
 * Bounded: at most MAX_CONNECTIONS connections and MAX_DURATION_SEC seconds; refuses
 * non-loopback targets.
 */
import net from 'node:net';
import { targetToBytesBE, u256LEToTarget } from '../ckb/target.js';
import type { Sv2Message } from '../sv2/index.js';
import { MiningSetupFlags, Sv2Protocol, SV2_PROTOCOL_VERSION } from '../sv2/index.js';
import { connectSv2, type Sv2Session } from '../sv2/session.js';
import { LineDecoder, parsePoolLine } from '../translator/v1-protocol.js';
import { JobHashers, ShareFinder } from './nonces.js';

/** Longest line accepted from a V1 pool; anything longer is not a pool talking. */
const MAX_POOL_LINE = 64 * 1024;

export const MAX_CONNECTIONS = 20_000;
export const MAX_DURATION_SEC = 600;

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
  /** Most unacknowledged shares per connection (the rest of the rate is skipped). */
  maxInFlight?: number;
  /** Connections opened concurrently during ramp-up. */
  connectParallel?: number;
  /** Awaited right before / after the measurement window (e.g. to read server-side counters). */
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
  /** Rate not submitted because of maxInFlight or no share available. */
  skipped: number;
  acceptedPerSec: number;
  latencyMs: { p50: number; p90: number; p99: number; max: number };
  /** Client socket bytes during the window (written = to the server). */
  bytesWritten: number;
  bytesRead: number;
  rejectReasons: Record<string, number>;
}

/** A simulated miner: connection, current work, in-flight shares. */
interface SimMiner {
  readonly socket: net.Socket;
  ready(): boolean;
  inFlight(): number;
  /** Submits one share; false when none could be made. */
  submit(now: number): boolean;
  close(): void;
}

interface Sink {
  ack(sentAt: number, accepted: boolean, reason?: string): void;
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
  private seq = 0;
  private readonly pending = new Map<number, number>();
  private readonly finder: ShareFinder;

  private constructor(
    readonly socket: net.Socket,
    private readonly session: Sv2Session,
    hashers: JobHashers,
    private readonly sink: Sink,
  ) {
    this.finder = new ShareFinder(hashers);
    session.onMessage((m) => this.onMessage(m));
  }

  static async open(opts: LoadOptions, index: number, hashers: JobHashers, sink: Sink): Promise<Sv2Sim> {
    const socket = net.connect({ host: opts.host, port: opts.port });
    const session = await connectSv2({
      host: opts.host,
      port: opts.port,
      authorityPublicKey: opts.authorityPublicKey!,
      socket,
    });
    const sim = new Sv2Sim(socket, session, hashers, sink);
    session.send({
      type: 'SetupConnection',
      protocol: Sv2Protocol.Mining,
      minVersion: SV2_PROTOCOL_VERSION,
      maxVersion: SV2_PROTOCOL_VERSION,
      flags: MiningSetupFlags.RequiresStandardJobs,
      endpointHost: opts.host,
      endpointPort: opts.port,
      vendor: 'eaglepool-loadgen',
      hardwareVersion: '',
      firmware: '',
      deviceId: `sim${index}`,
    });
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

  inFlight(): number {
    return this.pending.size;
  }

  submit(now: number): boolean {
    const nonce = this.finder.next();
    if (nonce === undefined) return false;
    const seq = this.seq++ >>> 0;
    this.pending.set(seq, now);
    this.session.send({
      type: 'SubmitSharesStandard',
      channelId: this.channelId,
      sequenceNumber: seq,
      jobId: this.jobId,
      nonce,
      ntime: this.ntime,
      version: 0, // N[8..12] stays zero: the u32 nonce space is plenty for a load test
    });
    return true;
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
      case 'SubmitSharesSuccess': {
        let n = m.newSubmitsAcceptedCount;
        for (const [seq, at] of this.pending) {
          if (seq > m.lastSequenceNumber || n === 0) break;
          this.pending.delete(seq);
          n--;
          this.sink.ack(at, true);
        }
        return;
      }
      case 'SubmitSharesError': {
        const at = this.pending.get(m.sequenceNumber);
        if (at === undefined) return;
        this.pending.delete(m.sequenceNumber);
        this.sink.ack(at, false, m.errorCode);
        return;
      }
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
  private nextId = 10;
  private readonly pending = new Map<number, number>();
  private readonly finder: ShareFinder;
  private readonly lines = new LineDecoder(MAX_POOL_LINE);
  private closed = false;

  private constructor(
    readonly socket: net.Socket,
    private readonly user: string,
    hashers: JobHashers,
    private readonly sink: Sink,
  ) {
    this.finder = new ShareFinder(hashers);
    socket.setNoDelay(true);
    socket.on('data', (c: Buffer) => this.onData(c));
    socket.on('error', () => {});
    socket.on('close', () => (this.closed = true));
  }

  static open(opts: LoadOptions, index: number, hashers: JobHashers, sink: Sink): Promise<V1Sim> {
    return new Promise((resolve, reject) => {
      const socket = net.connect({ host: opts.host, port: opts.port }, () => {
        const sim = new V1Sim(socket, `${opts.user ?? 'loadgen.sim'}${index}`, hashers, sink);
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

  inFlight(): number {
    return this.pending.size;
  }

  submit(now: number): boolean {
    const nonce = this.finder.next();
    if (nonce === undefined || this.jobId === undefined) return false;
    const n = this.finder.base;
    const view = Buffer.from(n.buffer, n.byteOffset, 16);
    const en2 = view.toString('hex', this.en1Len, 12) + u32LEHex(nonce);
    const id = this.nextId++;
    this.pending.set(id, now);
    this.socket.write(
      `{"id":${id},"method":"mining.submit","params":["${this.user}","${this.jobId}","${en2}"]}\n`,
    );
    return true;
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
      const at = this.pending.get(m.id);
      if (at !== undefined) {
        this.pending.delete(m.id);
        const reason = Array.isArray(m.error) ? String(m.error[1]) : undefined;
        this.sink.ack(at, m.result === true, reason);
        return;
      }
      if (m.id === 1 && Array.isArray(m.result)) this.setExtranonce(String(m.result[1]));
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

function u32LEHex(v: number): string {
  const b = Buffer.allocUnsafe(4);
  b.writeUInt32LE(v >>> 0, 0);
  return b.toString('hex');
}

function percentile(sorted: Float64Array, p: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))]!;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Runs one load test and reports. Connections are closed at the end. */
export async function runLoad(opts: LoadOptions): Promise<LoadReport> {
  if (!isLoopback(opts.host)) throw new RangeError(`loadgen targets loopback only, not ${opts.host}`);
  if (!Number.isInteger(opts.connections) || opts.connections < 1 || opts.connections > MAX_CONNECTIONS)
    throw new RangeError(`connections must be in [1, ${MAX_CONNECTIONS}]`);
  if (!(opts.durationSec > 0 && opts.durationSec <= MAX_DURATION_SEC))
    throw new RangeError(`duration must be in (0, ${MAX_DURATION_SEC}] s`);
  if (!(opts.rate > 0)) throw new RangeError('rate must be > 0');
  if (opts.mode === 'sv2' && opts.authorityPublicKey === undefined)
    throw new RangeError('sv2 mode needs the authority public key');

  const hashers = new JobHashers();
  const latencies: number[] = [];
  const rejectReasons: Record<string, number> = {};
  let counting = false;
  let accepted = 0;
  let rejected = 0;
  const sink: Sink = {
    ack(sentAt, ok, reason) {
      if (!counting) return;
      latencies.push(performance.now() - sentAt);
      if (ok) accepted++;
      else {
        rejected++;
        const r = reason ?? 'rejected';
        rejectReasons[r] = (rejectReasons[r] ?? 0) + 1;
      }
    },
  };

  const sims: SimMiner[] = [];
  const parallel = opts.connectParallel ?? 64;
  try {
    for (let i = 0; i < opts.connections; i += parallel) {
      const batch = await Promise.allSettled(
        Array.from({ length: Math.min(parallel, opts.connections - i) }, (_, j) =>
          opts.mode === 'sv2'
            ? Sv2Sim.open(opts, i + j, hashers, sink)
            : V1Sim.open(opts, i + j, hashers, sink),
        ),
      );
      let failure: unknown;
      for (const r of batch) {
        if (r.status === 'fulfilled') sims.push(r.value);
        else failure ??= r.reason;
      }
      if (failure !== undefined)
        throw new LoadError(
          `connection ${sims.length + 1} of ${opts.connections} failed: ${String(failure)}`,
        );
    }
    const readyBy = Date.now() + 30_000;
    while (!sims.every((s) => s.ready())) {
      if (Date.now() > readyBy) throw new LoadError('miners did not all get work within 30 s');
      await sleep(20);
    }

    const maxInFlight = opts.maxInFlight ?? 64;
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
    const b0 = bytes();
    counting = true;
    let submitted = 0;
    let skipped = 0;
    let due = 0;
    let rr = 0;
    const start = performance.now();
    let last = start;
    const end = start + opts.durationSec * 1000;
    while (performance.now() < end) {
      await sleep(5);
      const now = performance.now();
      due += ((now - last) * opts.rate) / 1000;
      last = now;
      let n = Math.floor(due);
      due -= n;
      for (let tries = 0; n > 0 && tries < sims.length * 2; tries++) {
        const s = sims[rr++ % sims.length]!;
        if (!s.ready() || s.inFlight() >= maxInFlight) continue;
        if (s.submit(now)) {
          submitted++;
          n--;
        }
      }
      skipped += n;
    }
    const elapsedSec = (performance.now() - start) / 1000;
    // Wait (bounded) for the acknowledgements of the last shares.
    const drainBy = Date.now() + 5000;
    while (accepted + rejected < submitted && Date.now() < drainBy) await sleep(10);
    const b1 = bytes();
    counting = false;
    await opts.onWindowEnd?.();
    const sorted = Float64Array.from(latencies).sort();
    return {
      mode: opts.mode,
      connections: sims.length,
      durationSec: elapsedSec,
      submitted,
      accepted,
      rejected,
      skipped,
      acceptedPerSec: accepted / elapsedSec,
      latencyMs: {
        p50: percentile(sorted, 0.5),
        p90: percentile(sorted, 0.9),
        p99: percentile(sorted, 0.99),
        max: sorted.length ? sorted[sorted.length - 1]! : 0,
      },
      bytesWritten: b1.w - b0.w,
      bytesRead: b1.r - b0.r,
      rejectReasons,
    };
  } finally {
    for (const s of sims) s.close();
    hashers.free();
  }
}
