/**
 * CPU miner speaking SV2 to a pool over Noise: one standard or extended channel, jobs mined
 * by `CpuMiner` worker threads, shares submitted per the CKB binding (docs/protocol.md):
 *
 *   standard: N = extranonce_prefix(8) || version u32 LE || nonce u32 LE  (the version rolls)
 *   extended: N = extranonce_prefix || extranonce || nonce u32 LE          (the extranonce rolls)
 *
 * A lost connection is re-established with jittered exponential backoff, and a pool `Reconnect`
 * moves the miner to the given endpoint (or back to the same one); each connection opens a new
 * channel, and work of the old one is dropped.
 */
import { compactToTarget, targetToBytesBE, u256LEToTarget } from '../ckb/target.js';
import { EaglesongJob } from '../eaglesong/index.js';
import type { Sv2Message } from '../sv2/index.js';
import { MiningSetupFlags, miningSetupConnection } from '../sv2/index.js';
import { connectSv2, type Sv2Session } from '../sv2-net/session.js';
import { CpuMiner } from './cpu.js';

export type MinerMode = 'sv2-standard' | 'sv2-extended';

export interface Sv2MinerOptions {
  host: string;
  port: number;
  /** Pool authority public key (base58-check as SRI configs write it, or raw bytes). */
  authorityPublicKey: Uint8Array | string;
  user: string;
  threads: number;
  mode: MinerMode;
  /** Advertised hash rate (H/s) for the initial target; 0 lets the pool start low. */
  nominalHashRate?: number;
  /**
   * After a lost connection or a pool `Reconnect`, connect again with this backoff (default
   * true = DEFAULT_RECONNECT_BACKOFF). false: a lost connection stops the miner and is reported
   * through `onClose`.
   */
  reconnect?: boolean | ReconnectBackoff;
}

export interface MinerStats {
  hashrate: number;
  submitted: number;
  accepted: number;
  rejected: number;
  /** Shares whose hash met the network target of their job (block candidates). */
  blocks: number;
  jobs: number;
  lastError: string | undefined;
}

/** A miner's running counters (the hashrate is computed when a snapshot is taken). */
/** `connects`: connections set up; `failedConnects`: reconnect attempts that failed (refused, setup error). */
export type MinerCounters = Omit<MinerStats, 'hashrate'> & { connects: number; failedConnects: number };

export function newMinerCounters(): MinerCounters {
  return {
    submitted: 0,
    accepted: 0,
    rejected: 0,
    blocks: 0,
    jobs: 0,
    lastError: undefined,
    connects: 0,
    failedConnects: 0,
  };
}

interface MinerJob {
  id: number;
  powHash: Uint8Array;
  ntime: number | undefined;
  networkTarget: bigint | undefined;
}

type Of<T extends Sv2Message['type']> = Extract<Sv2Message, { type: T }>;

function u32LE(b: Uint8Array, at: number): number {
  return (b[at]! | (b[at + 1]! << 8) | (b[at + 2]! << 16) | (b[at + 3]! << 24)) >>> 0;
}

/** Messages received before the miner is running, with one waiter at a time. */
class SetupInbox {
  private readonly queue: Sv2Message[] = [];
  private waiter: { types: readonly string[]; resolve: (m: Sv2Message) => void } | undefined;
  private failure: Error | undefined;
  private failWaiter: ((err: Error) => void) | undefined;

  push(msg: Sv2Message): void {
    if (this.waiter && this.waiter.types.includes(msg.type)) {
      const w = this.waiter;
      this.waiter = undefined;
      w.resolve(msg);
    } else this.queue.push(msg);
  }

  fail(err: Error): void {
    this.failure = err;
    this.failWaiter?.(err);
  }

  drain(): Sv2Message[] {
    return this.queue.splice(0);
  }

  next<T extends Sv2Message['type']>(types: readonly T[], timeoutMs: number): Promise<Of<T>> {
    const i = this.queue.findIndex((m) => (types as readonly string[]).includes(m.type));
    if (i >= 0) return Promise.resolve(this.queue.splice(i, 1)[0] as Of<T>);
    if (this.failure) return Promise.reject(this.failure);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`no ${types.join('/')} within ${timeoutMs} ms`)),
        timeoutMs,
      );
      this.failWaiter = (err) => {
        clearTimeout(timer);
        reject(err);
      };
      this.waiter = {
        types,
        resolve: (m) => {
          clearTimeout(timer);
          resolve(m as Of<T>);
        },
      };
    });
  }
}

/** Reconnect delays: `initialMs` doubling per failed attempt up to `maxMs`, with jitter. */
export interface ReconnectBackoff {
  initialMs: number;
  maxMs: number;
}

export const DEFAULT_RECONNECT_BACKOFF: ReconnectBackoff = { initialMs: 500, maxMs: 30_000 };

/** The connection in use: its session and the channel the pool opened on it. */
interface Link {
  session: Sv2Session;
  channelId: number;
  extranoncePrefix: Uint8Array;
  extranonceSize: number;
}

export class Sv2Miner {
  private readonly jobs = new Map<number, MinerJob>();
  private current: MinerJob | undefined;
  private currentChecker: EaglesongJob | undefined;
  private shareTarget = (1n << 256n) - 1n;
  private sequence = 0;
  private closed = false;
  private link: Link | undefined;
  /** Where the next connection goes (a pool Reconnect moves it). */
  private target: { host: string; port: number };
  private attempt = 0;
  private reconnectTimer: NodeJS.Timeout | undefined;
  private readonly backoff: ReconnectBackoff | undefined;
  private readonly cpu: CpuMiner<number>;
  private readonly closeHandlers: ((reason: string) => void)[] = [];
  readonly stats: MinerCounters = newMinerCounters();

  private constructor(private readonly opts: Sv2MinerOptions) {
    this.target = { host: opts.host, port: opts.port };
    const reconnect = opts.reconnect ?? true;
    this.backoff =
      reconnect === false ? undefined : reconnect === true ? DEFAULT_RECONNECT_BACKOFF : reconnect;
    this.cpu = new CpuMiner<number>(
      opts.threads,
      (jobId, nonce) => this.submit(jobId, nonce),
      (err) => this.finish(`worker failed: ${err.message}`),
    );
  }

  /**
   * Connects, sets up the connection, opens a channel and starts mining. Rejects if the first
   * connection fails; later losses are retried with backoff (unless `reconnect: false`).
   */
  static async start(opts: Sv2MinerOptions): Promise<Sv2Miner> {
    const miner = new Sv2Miner(opts);
    try {
      await miner.connect();
    } catch (err) {
      miner.closed = true;
      await miner.cpu.stop();
      throw err;
    }
    return miner;
  }

  /** The channel of the current connection (0 while reconnecting). */
  get channelId(): number {
    return this.link?.channelId ?? 0;
  }

  get extranoncePrefix(): Uint8Array {
    return this.link?.extranoncePrefix ?? new Uint8Array(0);
  }

  get extranonceSize(): number {
    return this.link?.extranonceSize ?? 0;
  }

  /** The pool endpoint in use (moves when the pool sends Reconnect). */
  get endpoint(): { host: string; port: number } {
    return { ...this.target };
  }

  private async connect(): Promise<void> {
    const { host, port } = this.target;
    const opts = this.opts;
    const session = await connectSv2({ host, port, authorityPublicKey: opts.authorityPublicKey });
    const inbox = new SetupInbox();
    let linked = false;
    session.onMessage((msg) => (linked ? this.onMessage(session, msg) : inbox.push(msg)));
    session.onClose((reason) =>
      linked ? this.onDisconnect(session, reason) : inbox.fail(new Error(`closed: ${reason}`)),
    );
    try {
      const standard = opts.mode === 'sv2-standard';
      session.send(
        miningSetupConnection({
          flags:
            MiningSetupFlags.RequiresVersionRolling | (standard ? MiningSetupFlags.RequiresStandardJobs : 0),
          endpointHost: host,
          endpointPort: port,
          vendor: 'eaglepool',
          hardwareVersion: 'cpu',
          firmware: 'eaglepool-miner',
          deviceId: `${opts.user}-${process.pid}`,
        }),
      );
      const setup = await inbox.next(['SetupConnectionSuccess', 'SetupConnectionError'], 10_000);
      if (setup.type === 'SetupConnectionError')
        throw new Error(`SetupConnection refused: ${setup.errorCode}`);
      const maxTarget = new Uint8Array(32).fill(0xff);
      const common = {
        requestId: 1,
        userIdentity: opts.user,
        nominalHashRate: opts.nominalHashRate ?? 0,
        maxTarget,
      };
      session.send(
        standard
          ? { type: 'OpenStandardMiningChannel', ...common }
          : { type: 'OpenExtendedMiningChannel', ...common, minExtranonceSize: 4 },
      );
      const opened = await inbox.next(
        ['OpenStandardMiningChannelSuccess', 'OpenExtendedMiningChannelSuccess', 'OpenMiningChannelError'],
        10_000,
      );
      if (opened.type === 'OpenMiningChannelError') throw new Error(`channel refused: ${opened.errorCode}`);
      if (this.closed) throw new Error('miner stopped');
      this.link = {
        session,
        channelId: opened.channelId,
        extranoncePrefix: opened.extranoncePrefix,
        extranonceSize: opened.type === 'OpenExtendedMiningChannelSuccess' ? opened.extranonceSize : 0,
      };
      this.shareTarget = u256LEToTarget(opened.target);
      this.stats.connects++;
      this.attempt = 0;
      linked = true;
      for (const msg of inbox.drain()) this.onMessage(session, msg);
    } catch (err) {
      session.close('miner setup failed');
      throw err;
    }
  }

  /** A connection in use ended: forget its jobs and reconnect, or report the close. */
  private onDisconnect(session: Sv2Session, reason: string): void {
    if (this.link?.session !== session) return;
    this.link = undefined;
    this.current = undefined;
    this.jobs.clear();
    this.currentChecker?.free();
    this.currentChecker = undefined;
    void this.cpu.idle(); // nothing to mine until the next connection sends a job
    if (this.closed) return;
    if (!this.backoff) return this.finish(reason);
    this.stats.lastError = reason;
    this.scheduleReconnect();
  }

  private scheduleReconnect(): void {
    const { initialMs, maxMs } = this.backoff!;
    const base = Math.min(maxMs, initialMs * 2 ** Math.min(this.attempt, 20));
    this.attempt++;
    // Jitter spreads a whole pool's miners after a replica drain or restart.
    const delay = base / 2 + Math.random() * (base / 2);
    this.reconnectTimer = setTimeout(() => {
      this.reconnectTimer = undefined;
      if (this.closed) return;
      this.connect().catch((err: unknown) => {
        if (this.closed) return;
        this.stats.failedConnects++;
        this.stats.lastError = `reconnect failed: ${err instanceof Error ? err.message : String(err)}`;
        this.scheduleReconnect();
      });
    }, delay);
  }

  /** Stops for good and tells the close handlers why. */
  private finish(reason: string): void {
    if (this.closed) return;
    this.closed = true;
    if (this.reconnectTimer) clearTimeout(this.reconnectTimer);
    this.link?.session.close(reason);
    for (const h of this.closeHandlers) h(reason);
  }

  get hashrate(): number {
    return this.cpu.hashrate;
  }

  snapshot(): MinerStats {
    return { ...this.stats, hashrate: this.cpu.hashrate };
  }

  onClose(handler: (reason: string) => void): void {
    this.closeHandlers.push(handler);
  }

  /** Stops mining and closes the connection (close handlers are not called). */
  async stop(): Promise<void> {
    this.closed = true;
    if (this.reconnectTimer) clearTimeout(this.reconnectTimer);
    this.link?.session.close('miner stopped');
    this.currentChecker?.free();
    this.currentChecker = undefined;
    await this.cpu.stop();
  }

  private onMessage(session: Sv2Session, msg: Sv2Message): void {
    if (this.link?.session !== session) return;
    switch (msg.type) {
      case 'NewMiningJob':
        this.onJob(msg.jobId, msg.merkleRoot, msg.minNtime);
        break;
      case 'NewExtendedMiningJob':
        this.onJob(msg.jobId, msg.coinbaseTxPrefix.subarray(0, 32), msg.minNtime);
        break;
      case 'SetNewPrevHash': {
        const job = this.jobs.get(msg.jobId);
        if (!job) break;
        job.ntime = msg.minNtime;
        job.networkTarget = compactToTarget(msg.nbits);
        this.jobs.clear();
        this.jobs.set(job.id, job);
        this.mine(job);
        break;
      }
      case 'SetTarget':
        // Applies to later jobs; found nonces of the current one are filtered against it too.
        this.shareTarget = u256LEToTarget(msg.maximumTarget);
        break;
      case 'SubmitSharesSuccess':
        this.stats.accepted += msg.newSubmitsAcceptedCount;
        break;
      case 'SubmitSharesError':
        this.stats.rejected++;
        this.stats.lastError = msg.errorCode;
        break;
      case 'Reconnect':
        // Empty host / port 0 mean the same endpoint (a draining replica behind one address).
        this.target = { host: msg.newHost || this.target.host, port: msg.newPort || this.target.port };
        this.attempt = 0;
        session.close('pool asked to reconnect');
        break;
      default:
        break;
    }
  }

  private onJob(jobId: number, powHash: Uint8Array, minNtime: number | undefined): void {
    const prev = this.current;
    const job: MinerJob = {
      id: jobId,
      powHash: Uint8Array.from(powHash),
      ntime: minNtime,
      networkTarget: prev?.networkTarget,
    };
    this.jobs.set(jobId, job);
    if (minNtime !== undefined) this.mine(job);
  }

  private mine(job: MinerJob): void {
    this.current = job;
    this.stats.jobs++;
    this.currentChecker?.free();
    this.currentChecker = new EaglesongJob(job.powHash);
    const network = job.networkTarget ?? 0n;
    const searchTarget = network > this.shareTarget ? network : this.shareTarget;
    const base = new Uint8Array(16);
    base.set(this.extranoncePrefix, 0);
    const standard = this.opts.mode === 'sv2-standard';
    this.cpu.setWork({
      key: job.id,
      powHash: job.powHash,
      base,
      targetBE: targetToBytesBE(searchTarget),
      rollAt: standard ? 8 : this.extranoncePrefix.length,
      rollLength: standard ? 4 : Math.min(4, this.extranonceSize),
    });
  }

  private submit(jobId: number, nonce: Uint8Array): void {
    const job = this.current;
    const link = this.link;
    if (this.closed || !link || !job || job.id !== jobId || job.ntime === undefined) return;
    const checker = this.currentChecker!;
    // Workers search the easier of share and network target; the pool wants shares that meet
    // the current share target (it may have been raised by SetTarget since) and every block.
    const isBlock =
      job.networkTarget !== undefined && checker.meets(nonce, targetToBytesBE(job.networkTarget));
    if (!isBlock && !checker.meets(nonce, targetToBytesBE(this.shareTarget))) return;
    if (isBlock) this.stats.blocks++;
    this.stats.submitted++;
    const common = {
      channelId: link.channelId,
      sequenceNumber: this.sequence++ >>> 0,
      jobId,
      nonce: u32LE(nonce, 12),
      ntime: job.ntime,
    };
    if (this.opts.mode === 'sv2-standard') {
      link.session.send({ type: 'SubmitSharesStandard', ...common, version: u32LE(nonce, 8) });
    } else {
      const extranonce = nonce.slice(link.extranoncePrefix.length, 12);
      link.session.send({ type: 'SubmitSharesExtended', ...common, version: 0, extranonce });
    }
  }
}
