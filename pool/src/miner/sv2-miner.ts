/**
 * CPU miner speaking SV2 to a pool over Noise: one standard or extended channel, jobs mined
 * by `CpuMiner` worker threads, shares submitted per the CKB binding (docs/protocol.md):
 *
 *   standard: N = extranonce_prefix(8) || version u32 LE || nonce u32 LE  (the version rolls)
 *   extended: N = extranonce_prefix || extranonce || nonce u32 LE          (the extranonce rolls)
 */
import { compactToTarget, targetToBytesBE, u256LEToTarget } from '../ckb/target.js';
import { EaglesongJob } from '../eaglesong/index.js';
import type { Sv2Message } from '../sv2/index.js';
import { MiningSetupFlags, Sv2Protocol, SV2_PROTOCOL_VERSION } from '../sv2/index.js';
import { connectSv2, type Sv2Session } from '../sv2/session.js';
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

export class Sv2Miner {
  private readonly jobs = new Map<number, MinerJob>();
  private current: MinerJob | undefined;
  private currentChecker: EaglesongJob | undefined;
  private shareTarget = (1n << 256n) - 1n;
  private sequence = 0;
  private closed = false;
  private readonly closeHandlers: ((reason: string) => void)[] = [];
  readonly stats: Omit<MinerStats, 'hashrate'> = {
    submitted: 0,
    accepted: 0,
    rejected: 0,
    blocks: 0,
    jobs: 0,
    lastError: undefined,
  };

  private constructor(
    private readonly session: Sv2Session,
    private readonly cpu: CpuMiner<number>,
    private readonly mode: MinerMode,
    readonly channelId: number,
    readonly extranoncePrefix: Uint8Array,
    readonly extranonceSize: number,
  ) {}

  /** Connects, sets up the connection, opens a channel and starts mining. */
  static async start(opts: Sv2MinerOptions): Promise<Sv2Miner> {
    const session = await connectSv2({
      host: opts.host,
      port: opts.port,
      authorityPublicKey: opts.authorityPublicKey,
    });
    const inbox = new SetupInbox();
    let miner: Sv2Miner | undefined;
    session.onMessage((msg) => (miner ? miner.onMessage(msg) : inbox.push(msg)));
    session.onClose((reason) =>
      miner ? miner.onSessionClose(reason) : inbox.fail(new Error(`closed: ${reason}`)),
    );
    try {
      const standard = opts.mode === 'sv2-standard';
      session.send({
        type: 'SetupConnection',
        protocol: Sv2Protocol.Mining,
        minVersion: SV2_PROTOCOL_VERSION,
        maxVersion: SV2_PROTOCOL_VERSION,
        flags:
          MiningSetupFlags.RequiresVersionRolling | (standard ? MiningSetupFlags.RequiresStandardJobs : 0),
        endpointHost: opts.host,
        endpointPort: opts.port,
        vendor: 'eaglepool',
        hardwareVersion: 'cpu',
        firmware: 'eaglepool-miner',
        deviceId: `${opts.user}-${process.pid}`,
      });
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
      const size = opened.type === 'OpenExtendedMiningChannelSuccess' ? opened.extranonceSize : 0;
      let found: (jobId: number, nonce: Uint8Array) => void = () => {};
      const cpu = new CpuMiner<number>(
        opts.threads,
        (jobId, nonce) => found(jobId, nonce),
        (err) => session.close(`worker failed: ${err.message}`),
      );
      miner = new Sv2Miner(session, cpu, opts.mode, opened.channelId, opened.extranoncePrefix, size);
      const m = miner;
      found = (jobId, nonce) => m.submit(jobId, nonce);
      m.shareTarget = u256LEToTarget(opened.target);
      for (const msg of inbox.drain()) m.onMessage(msg);
      return m;
    } catch (err) {
      session.close('miner setup failed');
      throw err;
    }
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

  async stop(): Promise<void> {
    if (!this.closed) this.session.close('miner stopped');
    this.closed = true;
    this.currentChecker?.free();
    this.currentChecker = undefined;
    await this.cpu.stop();
  }

  private onSessionClose(reason: string): void {
    this.closed = true;
    for (const h of this.closeHandlers) h(reason);
  }

  private onMessage(msg: Sv2Message): void {
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
        this.session.close('pool asked to reconnect');
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
    const standard = this.mode === 'sv2-standard';
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
    if (this.closed || !job || job.id !== jobId || job.ntime === undefined) return;
    const checker = this.currentChecker!;
    // Workers search the easier of share and network target; the pool wants shares that meet
    // the current share target (it may have been raised by SetTarget since) and every block.
    const isBlock =
      job.networkTarget !== undefined && checker.meets(nonce, targetToBytesBE(job.networkTarget));
    if (!isBlock && !checker.meets(nonce, targetToBytesBE(this.shareTarget))) return;
    if (isBlock) this.stats.blocks++;
    this.stats.submitted++;
    const common = {
      channelId: this.channelId,
      sequenceNumber: this.sequence++ >>> 0,
      jobId,
      nonce: u32LE(nonce, 12),
      ntime: job.ntime,
    };
    if (this.mode === 'sv2-standard') {
      this.session.send({ type: 'SubmitSharesStandard', ...common, version: u32LE(nonce, 8) });
    } else {
      const extranonce = nonce.slice(this.extranoncePrefix.length, 12);
      this.session.send({ type: 'SubmitSharesExtended', ...common, version: 0, extranonce });
    }
  }
}
