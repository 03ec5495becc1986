/**
 * One V1 miner connection, without I/O: JSON-RPC requests in, lines out through `send`.
 *
 * - subscribe → a slice of an upstream channel: extranonce1 = prefix || slice, extranonce2
 *   size 8. The subscribe reply waits until the channel is open (upstream connecting).
 * - authorize (before or after subscribe; both orders occur in the field, ckb.md §3.3); a
 *   connection may authorize several workers, and each submit must name one of them (error 24).
 * - shares are checked here with the job's Eaglesong midstate against this miner's own target
 *   (per-miner vardiff), answered at once, and forwarded upstream only when they meet the
 *   channel's target (or the network target: a block).
 * - bad input: error replies; too many bad lines or a request flood closes the connection.
 */
import { difficultyToTarget, targetToDifficulty } from '../ckb/target.js';
import { NONCE_BYTES, type NonceLayout } from '../mining/nonce.js';
import { hashMeetsTarget, shareTarget, type ShareTarget } from '../mining/target.js';
import { Vardiff, type VardiffConfig } from '../mining/vardiff.js';
import { hex, type ChannelJob, type UpstreamChannel } from './channel.js';
import type { Dialect } from './dialect.js';
import { DIALECTS, dialectForAgent } from './dialects/index.js';
import {
  V1Error,
  errorLine,
  parseRequest,
  resultLine,
  setExtranonceLine,
  submitRejectLine,
  type V1ErrorCode,
  type V1Id,
  type V1Request,
} from '../mining/v1-wire.js';

export interface DownstreamLimits {
  /** Bad lines (garbage, unknown methods, bad params) tolerated before closing. */
  maxBadLines: number;
  /** Request rate: a token bucket of `burst` requests refilled at `perSecond`. */
  requestsPerSecond: number;
  requestBurst: number;
}

export const DEFAULT_DOWNSTREAM_LIMITS: DownstreamLimits = {
  maxBadLines: 20,
  requestsPerSecond: 200,
  requestBurst: 1000,
};

/** Verdict of one submitted share (metrics label). */
export type ShareResult = 'accepted' | 'stale' | 'duplicate' | 'low-difficulty' | 'invalid' | 'unauthorized';

/** What the session needs from the translator. */
export interface DownstreamHub {
  /**
   * Calls `cb` with the open upstream channel for `identity` (the translator's default
   * identity when undefined), now or once it is open. Never calls back after `cancel`.
   */
  channelFor(
    identity: string | undefined,
    layout: NonceLayout,
    cb: (ch: UpstreamChannel) => void,
  ): () => void;
  /** Block height of a job on this parent for mining.notify (SV2 jobs carry none). */
  heightOf(parentHashHex: string): number;
  /** Whether a worker may get a channel of its own (budget not spent). */
  hasChannelFor(identity: string): boolean;
  /**
   * Whether this worker should mine on a channel of its own name (per-worker channels on, and
   * its shares cannot name it in a user_identity TLV on the shared channel).
   */
  wantsOwnChannel(worker: string): boolean;
  /** Membership of a channel (the translator fans jobs out to its members). */
  joined(ds: V1Downstream, ch: UpstreamChannel): void;
  left(ds: V1Downstream, ch: UpstreamChannel): void;
  /** A share of `worker` that meets the channel target (or is a block): send it upstream. */
  forward(
    ds: V1Downstream,
    ch: UpstreamChannel,
    job: ChannelJob,
    n: Uint8Array,
    block: boolean,
    worker: string,
  ): void;
  /** A verdict; accepted shares with the difficulty credited (the miner's own target's, never the network's). */
  onShare(ds: V1Downstream, result: ShareResult, credited?: bigint): void;
  readonly vardiff: VardiffConfig;
  /** Initial share difficulty of a miner (undefined: the channel's target): the listener's tier. */
  readonly startDifficulty: bigint | undefined;
  /** The listener's dialect; undefined: chosen per connection from the subscribe's user agent. */
  readonly dialect: Dialect | undefined;
  readonly limits: DownstreamLimits;
  now(): number;
}

const MAX_TARGET = (1n << 256n) - 1n;
/** Vardiff warm-up after a miner starts: retarget every 3 s by up to ×16, only harder, for 30 s. */
const WARMUP = { retargetMs: 3000, maxStep: 16, durationMs: 30_000 };
const MAX_USER_BYTES = 255;
/** Distinct worker names one connection may authorize. */
const MAX_WORKERS_PER_CONNECTION = 64;

function validUser(user: string): boolean {
  // eslint-disable-next-line no-control-regex
  return user.length > 0 && Buffer.byteLength(user) <= MAX_USER_BYTES && !/[\s\x00-\x1f\x7f]/.test(user);
}

export class V1Downstream {
  subscribed = false;
  authorized = false;
  /** The first authorized worker name (the one its own channel would carry). */
  user: string | undefined;
  /** Every worker name authorized on this connection (submits must name one). */
  readonly workers: string[] = [];
  agent: string | undefined;
  /** How this miner is spoken to: the listener's, else chosen at the first subscribe. */
  dialect: Dialect;
  extranonceSubscribed = false;
  channel: UpstreamChannel | undefined;
  slice = 0;
  extranonce1: Uint8Array = new Uint8Array(0);
  extranonce1Hex = '';
  readonly stats = { accepted: 0, rejected: 0, forwarded: 0, upstreamAccepted: 0, upstreamRejected: 0 };

  private closed = false;
  /** Moved to its own worker channel already (at most once per connection). */
  private moved = false;
  private cancelPending: (() => void) | undefined;
  /** extranonce1 (hex) a resubscribing miner asked to resume. */
  private resume: string | undefined;
  private subscribeIds: V1Id[] = [];
  private vardiff: Vardiff | undefined;
  /** End of the vardiff warm-up (0 = over). */
  private warmUntil = 0;
  private current: ShareTarget | undefined;
  private previous: ShareTarget | undefined;
  /** Jobs notified before this notify sequence may still use `previous`. */
  private notifySeq = 0;
  private changedAtSeq = 0;
  private readonly jobSeq = new Map<number, number>();
  private badLines = 0;
  private tokens: number;
  private lastRefill: number;
  private readonly n = Buffer.alloc(NONCE_BYTES);
  private readonly hash = new Uint8Array(32);

  constructor(
    readonly id: number,
    private readonly hub: DownstreamHub,
    private readonly send: (line: string) => void,
    private readonly close: (reason: string) => void,
  ) {
    this.dialect = hub.dialect ?? DIALECTS.btcpool;
    this.tokens = hub.limits.requestBurst;
    this.lastRefill = hub.now();
  }

  get target(): bigint | undefined {
    return this.current?.target;
  }

  /** One line from the miner (already split, newline removed). */
  handleLine(line: string): void {
    if (this.closed) return;
    if (!this.takeToken()) {
      this.shutdown('request flood');
      return;
    }
    const req = parseRequest(line);
    if ('bad' in req) {
      this.reply(req.id, errorLine(req.id, req.code, req.message));
      this.strike(req.message);
      return;
    }
    try {
      this.handle(req);
    } catch (err) {
      // A bug must cost one request, not the process.
      this.reply(req.id, errorLine(req.id, V1Error.Internal, `internal error: ${(err as Error).message}`));
      this.strike('internal error');
    }
  }

  /** Suggested difficulties stay within the vardiff bounds (and so inside u256 targets). */
  private clampDifficulty(d: bigint): bigint {
    const { minDifficulty, maxDifficulty } = this.hub.vardiff;
    return d < minDifficulty ? minDifficulty : d > maxDifficulty ? maxDifficulty : d;
  }

  /** The connection ended: release the slice. */
  dispose(): void {
    this.closed = true;
    this.cancelPending?.();
    this.detach();
  }

  /** New work on the channel. */
  onJob(job: ChannelJob, clean: boolean): void {
    if (this.closed || !this.authorized || !this.current) return;
    this.notify(job, clean);
  }

  /** The upstream channel went away (upstream lost): wait for a new one. */
  onChannelLost(): void {
    if (this.closed) return;
    this.detach();
    if (!this.subscribed) return;
    // Without mining.set_extranonce the miner cannot change extranonce1: it must reconnect.
    if (!this.extranonceSubscribed) {
      this.shutdown('upstream reconnected: extranonce changes');
      return;
    }
    this.requestChannel(true);
  }

  /**
   * About once a second: per-miner vardiff. During the warm-up after a (re)start the controller
   * runs fast (WARMUP) and may only make the target harder: a miner far faster than its start
   * difficulty converges in seconds, one that is merely unlucky is not eased.
   */
  tick(now: number): void {
    const vd = this.vardiff;
    if (!vd || this.closed) return;
    if (this.warmUntil !== 0 && now >= this.warmUntil) {
      this.warmUntil = 0;
      this.vardiff = new Vardiff(this.hub.vardiff, vd.currentTarget, now, MAX_TARGET);
      return;
    }
    const next = vd.retarget(now);
    if (next === undefined) return;
    if (this.warmUntil !== 0 && next > this.current!.target) {
      vd.restart(this.current!.target, now);
      return;
    }
    this.setTarget(next, true);
  }

  private startVardiff(target: bigint): void {
    const now = this.hub.now();
    const cfg = this.hub.vardiff;
    const fast = {
      ...cfg,
      retargetMs: Math.min(cfg.retargetMs, WARMUP.retargetMs),
      maxStep: Math.max(cfg.maxStep, WARMUP.maxStep),
    };
    this.vardiff = new Vardiff(fast, target, now, MAX_TARGET);
    this.warmUntil = now + WARMUP.durationMs;
  }

  private handle(req: V1Request): void {
    switch (req.method) {
      case 'mining.subscribe':
        if (!this.subscribed) {
          this.agent = req.agent;
          this.dialect = this.hub.dialect ?? dialectForAgent(req.agent);
          this.resume = this.dialect.resumeExtranonce1(req.params);
        }
        this.subscribeIds.push(req.id);
        if (this.channel) this.answerSubscribe();
        else if (!this.subscribed) {
          this.subscribed = true;
          this.requestChannel(false);
        }
        return;
      case 'mining.authorize':
        return this.authorize(req.id, req.user);
      case 'mining.submit':
        return this.submit(req);
      case 'mining.extranonce.subscribe':
        this.extranonceSubscribed = true;
        this.reply(req.id, resultLine(req.id, true));
        return;
      case 'mining.suggest_difficulty':
        return this.suggested(req.id, this.dialect.suggestedTarget(req.difficulty));
      case 'mining.suggest_target':
        return this.suggested(req.id, this.dialect.decodeTarget(req.targetHex));
      case 'mining.configure': {
        // No BIP310 extension applies to CKB (no version rolling in V1 CKB): all false.
        const result: Record<string, boolean> = {};
        for (const e of req.extensions) result[e] = false;
        this.reply(req.id, resultLine(req.id, result));
        return;
      }
    }
  }

  /** A suggested difficulty or target in the dialect's unit: honoured within the vardiff bounds. */
  private suggested(id: V1Id, target: bigint | undefined): void {
    if (target === undefined) {
      this.reply(id, errorLine(id, V1Error.IllegalParams, 'unusable difficulty or target'));
      this.strike('bad suggestion');
      return;
    }
    this.reply(id, resultLine(id, true));
    this.suggest(difficultyToTarget(this.clampDifficulty(targetToDifficulty(target))));
  }

  private authorize(id: V1Id, user: string): void {
    if (!validUser(user)) {
      this.reply(id, errorLine(id, V1Error.InvalidUsername));
      this.strike('invalid username');
      return;
    }
    if (!this.workers.includes(user)) {
      if (this.workers.length >= MAX_WORKERS_PER_CONNECTION) {
        this.reply(id, errorLine(id, V1Error.Unauthorized, 'too many workers on one connection'));
        this.strike('too many workers');
        return;
      }
      this.workers.push(user);
    }
    const first = !this.authorized;
    this.authorized = true;
    this.user ??= user;
    this.reply(id, resultLine(id, true));
    if (!first || !this.channel) return;
    if (!this.moveToOwnChannel()) this.startWork();
  }

  /**
   * A miner that accepts mining.set_extranonce is moved (once) from the shared channel to a
   * channel of its own worker name, so the pool credits this worker.
   */
  private moveToOwnChannel(): boolean {
    const ch = this.channel;
    if (!this.extranonceSubscribed || this.moved || !ch || !this.user) return false;
    if (ch.userIdentity === this.user || !this.hub.wantsOwnChannel(this.user)) return false;
    if (!this.hub.hasChannelFor(this.user)) return false;
    this.moved = true;
    this.detach();
    this.requestChannel(true);
    return true;
  }

  private requestChannel(announce: boolean): void {
    this.cancelPending?.();
    const identity = this.user !== undefined && this.hub.wantsOwnChannel(this.user) ? this.user : undefined;
    this.cancelPending = this.hub.channelFor(identity, this.dialect.nonceLayout, (ch) => {
      this.cancelPending = undefined;
      if (this.closed) return;
      if (ch.layout !== this.dialect.nonceLayout) {
        this.shutdown(`the pool offers no ${this.dialect.nonceLayout} nonce layout (extension 0x4e02)`);
        return;
      }
      if (!this.attach(ch)) {
        this.shutdown('no free extranonce slice');
        return;
      }
      if (announce) this.send(setExtranonceLine(this.extranonce1Hex, this.dialect.extranonce2Size));
      this.answerSubscribe();
      if (this.authorized && !this.moveToOwnChannel()) this.startWork();
    });
  }

  private attach(ch: UpstreamChannel): boolean {
    // Session resume: the extranonce1 this miner had, when its slice of this channel is free.
    const wanted = this.resume === undefined ? undefined : ch.sliceOf(this.resume);
    this.resume = undefined;
    const slice = wanted !== undefined && ch.slices.claim(wanted) ? wanted : ch.slices.allocate();
    if (slice === undefined) return false;
    this.channel = ch;
    this.slice = slice;
    this.extranonce1 = ch.extranonce1(slice);
    this.extranonce1Hex = hex(this.extranonce1);
    this.n.set(this.extranonce1, ch.extranonce1At);
    this.hub.joined(this, ch);
    return true;
  }

  private detach(): void {
    this.jobSeq.clear();
    const ch = this.channel;
    if (!ch) return;
    ch.slices.release(this.slice);
    this.channel = undefined;
    this.hub.left(this, ch);
  }

  private answerSubscribe(): void {
    for (const id of this.subscribeIds.splice(0))
      this.reply(id, resultLine(id, this.dialect.subscribeResult(this.extranonce1Hex)));
  }

  /** Target and the current job, clean. */
  private startWork(): void {
    const ch = this.channel!;
    if (!this.current) {
      const start =
        this.hub.startDifficulty !== undefined ? difficultyToTarget(this.hub.startDifficulty) : ch.target;
      this.current = shareTarget(start);
      this.startVardiff(start);
    }
    this.send(this.dialect.targetLines(this.current.target, this.current.targetBE));
    if (ch.current) this.notify(ch.current, true);
  }

  private suggest(target: bigint): void {
    if (target <= 0n) return;
    if (!this.vardiff) {
      this.current = shareTarget(target);
      this.startVardiff(target);
      return;
    }
    this.startVardiff(target);
    this.setTarget(target, this.authorized && this.channel !== undefined);
  }

  private setTarget(target: bigint, announce: boolean): void {
    this.previous = this.current;
    this.current = shareTarget(target);
    this.changedAtSeq = this.notifySeq + 1;
    if (!announce) return;
    this.send(this.dialect.targetLines(this.current.target, this.current.targetBE));
    // Most V1 firmware applies a new target with the next notify: resend the current job.
    const job = this.channel?.current;
    if (job) this.notify(job, false);
  }

  private notify(job: ChannelJob, clean: boolean): void {
    if (clean) this.jobSeq.clear();
    this.notifySeq++;
    // A job sent again (after set_target) keeps its first sequence: shares found before the
    // miner saw the new target are still checked against the easier one.
    if (!this.jobSeq.has(job.id)) this.jobSeq.set(job.id, this.notifySeq);
    const height = this.hub.heightOf(job.parentHashHex);
    this.send(this.dialect.notifyLine(job, height, clean));
  }

  private submit(req: Extract<V1Request, { method: 'mining.submit' }>): void {
    if (!this.subscribed) return this.reject(req.id, V1Error.NotSubscribed, 'unauthorized');
    if (!this.authorized) return this.reject(req.id, V1Error.Unauthorized, 'unauthorized');
    const ch = this.channel;
    if (!ch) return this.reject(req.id, V1Error.JobNotFound, 'stale');
    // The dialect reads the params and writes N (the 16 bytes the miner hashed) beside extranonce1.
    const parsed = this.dialect.parseSubmit(req.params, this.extranonce1, this.n);
    if (typeof parsed === 'string') {
      this.strike(parsed);
      return this.reject(req.id, V1Error.IllegalParams, 'invalid', parsed);
    }
    // The share is credited to the worker it names, which must be authorized on this connection.
    if (!this.workers.includes(parsed.worker))
      return this.reject(req.id, V1Error.Unauthorized, 'unauthorized');
    const job = ch.job(parsed.jobId);
    const seq = job && this.jobSeq.get(job.id);
    if (!job || seq === undefined) return this.reject(req.id, V1Error.JobNotFound, 'stale');
    const n = this.n;
    const key = hex(n);
    if (job.seen.has(key)) return this.reject(req.id, V1Error.Duplicate, 'duplicate');
    const hash = job.hasher.hash(n, this.hash);
    const block = hashMeetsTarget(hash, job.networkTargetBE);
    const t = this.targetFor(seq);
    if (!block && !hashMeetsTarget(hash, t.targetBE))
      return this.reject(req.id, V1Error.LowDifficulty, 'low-difficulty');
    job.seen.add(key);
    this.stats.accepted++;
    this.vardiff?.onShare(t.difficulty);
    // Valid work is not a flood (its rate is vardiff's business): give the token back.
    this.tokens = Math.min(this.hub.limits.requestBurst, this.tokens + 1);
    this.reply(req.id, resultLine(req.id, true));
    this.hub.onShare(this, 'accepted', t.difficulty);
    if (block || hashMeetsTarget(hash, ch.targetBE)) {
      this.stats.forwarded++;
      this.hub.forward(this, ch, job, Uint8Array.from(n), block, parsed.worker);
    }
  }

  private targetFor(seq: number): ShareTarget {
    const cur = this.current!;
    const prev = this.previous;
    if (prev && seq < this.changedAtSeq && prev.target > cur.target) return prev;
    return cur;
  }

  private reject(id: V1Id, code: V1ErrorCode, result: ShareResult, message?: string): void {
    this.stats.rejected++;
    this.reply(id, submitRejectLine(id, code, message));
    this.hub.onShare(this, result);
  }

  private reply(id: V1Id, line: string): void {
    // JSON-RPC notifications (no id member) get no reply.
    if (id !== undefined) this.send(line);
  }

  private strike(why: string): void {
    if (++this.badLines > this.hub.limits.maxBadLines) this.shutdown(`too many bad requests (last: ${why})`);
  }

  private takeToken(): boolean {
    const now = this.hub.now();
    const { requestsPerSecond, requestBurst } = this.hub.limits;
    this.tokens = Math.min(requestBurst, this.tokens + ((now - this.lastRefill) * requestsPerSecond) / 1000);
    this.lastRefill = now;
    if (this.tokens < 1) return false;
    this.tokens--;
    return true;
  }

  private shutdown(reason: string): void {
    if (this.closed) return;
    this.dispose();
    this.close(reason);
  }
}
