/**
 * CPU miner speaking CKB Stratum V1 (as ASICs do, ckb.md §3) to a V1 pool or the translator, in
 * the dialect of one miner family (`v1-dialects.ts`): subscribe (+ extranonce.subscribe),
 * authorize, mine each `mining.notify` with `CpuMiner` against the family's share target, submit
 * in the family's shape.
 *
 *   N = extranonce1 || the rolled bytes; the workers roll N[en1..12] and search N[12..16]
 *   (NerdMiner: N = its 8 bytes || extranonce1; the workers roll N[4..8] and search N[0..4]).
 *
 * With `reconnect`, a lost connection is re-established with backoff (as real miners do).
 */
import net from 'node:net';
import { EaglesongJob } from '../eaglesong/index.js';
import { LineDecoder, parsePoolLine } from '../mining/v1-wire.js';
import { CpuMiner } from './cpu.js';
import {
  MINER_DIALECT,
  nonceFill,
  targetBEFromDifficulty2p224,
  type MinerDialectName,
} from './v1-dialects.js';
import { newMinerCounters, type MinerCounters, type MinerStats } from './sv2-miner.js';

export interface V1MinerOptions {
  host: string;
  port: number;
  user: string;
  threads: number;
  /** Reconnect after a lost connection (backoff 0.5 s … 10 s) instead of reporting the close. */
  reconnect?: boolean;
  agent?: string;
  /** The family whose wire conventions to use (default btcpool). */
  dialect?: MinerDialectName;
}

interface Job {
  id: string;
  powHash: Uint8Array;
  checker: EaglesongJob;
  /** Extranonce2 values already submitted (a restarted search finds them again). */
  submitted: Set<string>;
}

const MAX_LINE = 64 * 1024;

export class V1Miner {
  private socket: net.Socket | undefined;
  private readonly cpu: CpuMiner<string>;
  private extranonce1 = new Uint8Array(0);
  private extranonce2Size = 0;
  private targetBE = new Uint8Array(32).fill(0xff);
  private job: Job | undefined;
  /** What the workers currently search (job id, extranonce1, target): unchanged work is not restarted. */
  private workKey = '';
  private nextId = 1;
  private readonly pendingSubmits = new Set<number>();
  private stopped = false;
  private attempt = 0;
  private readonly closeHandlers: ((reason: string) => void)[] = [];
  private connectedHandlers: (() => void)[] = [];
  private readonly dialect;
  /** Session id of the last subscribe (families that resume send it back). */
  sessionId: string | undefined;
  /** extranonce1 of the current subscription (hex). */
  get extranonce1Hex(): string {
    return Buffer.from(this.extranonce1).toString('hex');
  }
  readonly stats: MinerCounters = newMinerCounters();

  private constructor(private readonly opts: V1MinerOptions) {
    this.dialect = MINER_DIALECT[opts.dialect ?? 'btcpool'];
    this.cpu = new CpuMiner<string>(
      opts.threads,
      (jobId, nonce) => this.submit(jobId, nonce),
      (err) => this.socket?.destroy(err),
    );
  }

  /** Connects and starts mining once the first job arrives. */
  static async start(opts: V1MinerOptions): Promise<V1Miner> {
    const m = new V1Miner(opts);
    try {
      await m.connect();
    } catch (err) {
      await m.cpu.stop();
      throw err;
    }
    return m;
  }

  get hashrate(): number {
    return this.cpu.hashrate;
  }

  snapshot(): MinerStats {
    const { connects: _c, ...s } = this.stats;
    return { ...s, hashrate: this.cpu.hashrate };
  }

  /** The connection ended and will not be re-established. */
  onClose(handler: (reason: string) => void): void {
    this.closeHandlers.push(handler);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.socket?.destroy();
    this.setJob(undefined);
    await this.cpu.stop();
  }

  private connect(): Promise<void> {
    return new Promise((resolve, reject) => {
      const socket = net.connect({ host: this.opts.host, port: this.opts.port });
      socket.setNoDelay(true);
      this.socket = socket;
      let up = false;
      socket.once('connect', () => {
        up = true;
        this.stats.connects++;
        const session = this.dialect.resumes ? (this.sessionId ?? null) : null;
        this.send('mining.subscribe', [this.opts.agent ?? this.dialect.agent, session]);
        this.send('mining.extranonce.subscribe', []);
        this.send('mining.authorize', [this.opts.user, 'x']);
        resolve();
      });
      const lines = new LineDecoder(MAX_LINE);
      socket.on('data', (chunk: Buffer) => {
        let complete: string[];
        try {
          complete = lines.push(chunk);
        } catch {
          socket.destroy(new Error('line too long from pool'));
          return;
        }
        for (const line of complete) this.onLine(line);
      });
      socket.on('error', () => {});
      socket.on('close', () => {
        if (!up) reject(new Error(`cannot connect to ${this.opts.host}:${this.opts.port}`));
        else this.onDisconnect('connection closed');
      });
    });
  }

  private onDisconnect(reason: string): void {
    this.setJob(undefined);
    this.pendingSubmits.clear();
    if (this.stopped) return;
    if (!this.opts.reconnect) {
      for (const h of this.closeHandlers) h(reason);
      return;
    }
    const delay = Math.min(10_000, 500 * 2 ** Math.min(this.attempt++, 5));
    setTimeout(() => {
      if (this.stopped) return;
      this.connect().then(
        () => {
          this.attempt = 0;
        },
        () => this.onDisconnect('reconnect failed'),
      );
    }, delay).unref();
  }

  private send(method: string, params: unknown[]): number {
    const id = this.nextId++;
    this.socket?.write(`${JSON.stringify({ id, method, params })}\n`);
    return id;
  }

  private onLine(line: string): void {
    const msg = parsePoolLine(line.trim());
    if (!msg) return;
    if (typeof msg.method === 'string') return this.onNotification(msg.method, msg.params);
    if (typeof msg.id !== 'number') return;
    if (this.pendingSubmits.delete(msg.id)) {
      if (msg.result === true) this.stats.accepted++;
      else {
        this.stats.rejected++;
        this.stats.lastError = Array.isArray(msg.error) ? String(msg.error[1]) : 'rejected';
      }
      return;
    }
    // The subscribe reply: [null or [[method, session id], …], extranonce1, extranonce2_size].
    if (Array.isArray(msg.result) && msg.result.length === 3 && typeof msg.result[1] === 'string') {
      const subs: unknown = msg.result[0];
      const first: unknown = Array.isArray(subs) ? subs[0] : undefined;
      if (Array.isArray(first) && typeof first[1] === 'string') this.sessionId = first[1];
      this.setExtranonce(msg.result[1], Number(msg.result[2]));
    }
  }

  private onNotification(method: string, params: unknown): void {
    const p = Array.isArray(params) ? (params as unknown[]) : [];
    switch (method) {
      case 'mining.set_target':
        if (
          this.dialect.targetFrom === 'set_target' &&
          typeof p[0] === 'string' &&
          /^[0-9a-fA-F]{64}$/.test(p[0])
        ) {
          this.targetBE = Uint8Array.from(Buffer.from(p[0], 'hex'));
          this.mine();
        }
        return;
      case 'mining.set_difficulty': {
        const t =
          this.dialect.targetFrom === 'set_difficulty'
            ? targetBEFromDifficulty2p224(Number(p[0]))
            : undefined;
        if (t) {
          this.targetBE = t;
          this.mine();
        }
        return;
      }
      case 'mining.set_extranonce':
        if (typeof p[0] === 'string') this.setExtranonce(p[0], Number(p[1]));
        return;
      case 'mining.notify':
        if (typeof p[0] === 'string' && typeof p[1] === 'string' && /^[0-9a-fA-F]{64}$/.test(p[1])) {
          if (this.job?.id !== p[0] || Buffer.from(this.job.powHash).toString('hex') !== p[1].toLowerCase()) {
            const powHash = Uint8Array.from(Buffer.from(p[1], 'hex'));
            this.setJob({ id: p[0], powHash, checker: new EaglesongJob(powHash), submitted: new Set() });
          }
          this.mine();
        }
        return;
      default:
        return;
    }
  }

  private setExtranonce(en1Hex: string, en2Size: number): void {
    const en1 = Buffer.from(en1Hex, 'hex');
    if (en1.length + en2Size + this.dialect.ownNonceBytes !== 16 || en2Size < 4) {
      this.socket?.destroy(new Error(`unusable extranonce layout ${en1.length}+${en2Size}`));
      return;
    }
    this.extranonce1 = Uint8Array.from(en1);
    this.extranonce2Size = en2Size;
    this.setJob(undefined); // a new extranonce1 comes with a clean job
  }

  private setJob(job: Job | undefined): void {
    this.job?.checker.free();
    this.job = job;
    this.workKey = '';
    if (job === undefined) void this.cpu.idle();
  }

  private mine(): void {
    const job = this.job;
    if (!job || this.extranonce2Size === 0) return;
    const key = `${job.id}:${Buffer.from(this.extranonce1).toString('hex')}`;
    const workKey = `${key}:${Buffer.from(this.targetBE).toString('hex')}`;
    if (workKey === this.workKey) return;
    this.workKey = workKey;
    this.stats.jobs++;
    const fill = nonceFill(this.dialect, this.extranonce1.length);
    const base = new Uint8Array(16);
    base.set(this.extranonce1, fill.en1At);
    this.cpu.setWork({
      key,
      powHash: job.powHash,
      base,
      targetBE: this.targetBE,
      rollAt: fill.rollAt,
      rollLength: fill.rollLength,
      searchAt: fill.searchAt,
    });
  }

  private submit(key: string, nonce: Uint8Array): void {
    // The job id is the pool's string and may itself contain ':'; extranonce1 (hex) cannot.
    const sep = key.lastIndexOf(':');
    const jobId = key.slice(0, sep);
    const en1Hex = key.slice(sep + 1);
    const en1 = Buffer.from(this.extranonce1).toString('hex');
    const job = this.job;
    if (!job || job.id !== jobId || en1Hex !== en1) return;
    // Submitted once per job: N identifies the share (extranonce1 is the same in all of them).
    const rolled = Buffer.from(nonce).toString('hex');
    // Skip what was sent already, and shares below a target raised since the search started.
    if (job.submitted.has(rolled) || !job.checker.meets(nonce, this.targetBE)) return;
    job.submitted.add(rolled);
    const params = this.dialect.submitParams(
      this.opts.user,
      jobId,
      nonce,
      this.extranonce1.length,
      this.extranonce2Size,
    );
    const id = this.send('mining.submit', params);
    this.pendingSubmits.add(id);
    this.stats.submitted++;
  }
}
