/**
 * The SV1 → SV2 translator (I/O edge): a TCP listener speaking CKB Stratum V1 to miners, one
 * SV2 connection (Noise, certificate checked) to the pool, and the glue between them:
 * channel membership, job fan-out, share forwarding with per-miner upstream verdicts,
 * per-miner vardiff ticks, metrics and logs.
 */
import net from 'node:net';
import { Counter, Gauge, type Registry } from 'prom-client';
import type { Logger } from '../observability/index.js';
import { silentLogger } from '../observability/index.js';
import { DEFAULT_VARDIFF, type VardiffConfig } from '../mining/vardiff.js';
import type { ChannelJob, UpstreamChannel } from './channel.js';
import type { DialectName } from './dialect.js';
import { DIALECTS } from './dialects/index.js';
import {
  DEFAULT_DOWNSTREAM_LIMITS,
  V1Downstream,
  type DownstreamHub,
  type DownstreamLimits,
  type ShareResult,
} from './downstream.js';
import { HeightTracker, type HeightLookup } from './height.js';
import { Upstream, type SubmitOutcome } from './upstream.js';
import { LineDecoder, LineTooLongError } from '../mining/v1-wire.js';

/** One V1 port: pools publish a port per miner family and per difficulty tier. */
export interface ListenerOptions {
  host?: string;
  /** 0 = any free port (see `Translator.ports`). */
  port: number;
  /** The dialect spoken on this port; default: chosen per connection from the user agent. */
  dialect?: DialectName;
  /** Initial share difficulty of this port's miners (default: the translator's `startDifficulty`). */
  startDifficulty?: bigint;
}

export interface TranslatorOptions {
  /** The first V1 listen address (port 0 = any free port; see `port`). */
  host?: string;
  port: number;
  /** Dialect of the first listener (default: by user agent). */
  dialect?: DialectName;
  /** More V1 ports, each with its own dialect and difficulty tier. */
  listeners?: ListenerOptions[];
  upstream: { host: string; port: number; authorityPublicKey: Uint8Array | string };
  /** user_identity of the shared channel (miners before authorize; fallback). */
  user: string;
  /**
   * Channels of their own for workers whose shares cannot name them in a user_identity TLV (pool
   * without extension 0x0002, or names over 32 bytes): authorize-first miners and miners that accept
   * mining.set_extranonce. Default true.
   */
  perWorkerChannels?: boolean;
  /** Negotiate extension 0x0002 and name workers in a user_identity TLV per share. Default true. */
  workerIdentityTlv?: boolean;
  /** How long to wait for the pool's RequestExtensions answer before going on without (3,000 ms). */
  negotiationTimeoutMs?: number;
  /** Nominal hash rate advertised per upstream channel (H/s). */
  nominalHashRate?: number;
  maxChannels?: number;
  /** Initial share difficulty of every miner (default: the upstream channel's). */
  startDifficulty?: bigint;
  vardiff?: VardiffConfig;
  limits?: Partial<DownstreamLimits>;
  /** Longest accepted V1 line in bytes. */
  maxLineBytes?: number;
  maxConnections?: number;
  /** Open connections from one address (a farm behind one NAT counts as one address). */
  maxConnectionsPerIp?: number;
  /** No complete line from a miner for this long closes it (bytes alone do not count). */
  idleTimeoutMs?: number;
  /** A connection that has not authorized a worker this long after connecting is closed. */
  authorizeTimeoutMs?: number;
  /** A line begun must end within this time (a slow sender cannot hold the connection). */
  lineTimeoutMs?: number;
  backoff?: { minMs: number; maxMs: number };
  /** Resolves block heights for mining.notify (e.g. a CKB node's get_header); see HeightTracker. */
  heightLookup?: HeightLookup;
  logger?: Logger;
  registry?: Registry;
}

export interface TranslatorStats {
  downstreams: number;
  sharesAccepted: number;
  sharesRejected: number;
  /** Difficulty credited for accepted shares: each at its miner's own target, never the network's. */
  creditedDifficulty: bigint;
  forwarded: number;
  upstreamAccepted: number;
  upstreamRejected: number;
  blocks: number;
}

interface Metrics {
  downstreams: Gauge;
  shares: Counter<'result'>;
  forwarded: Counter<'result'>;
  blocks: Counter;
  identity: Counter<'via'>;
  upstreamUp: Gauge;
  reconnects: Counter;
  closed: Counter<'reason'>;
}

function createMetrics(registry: Registry): Metrics {
  const registers = [registry];
  return {
    downstreams: new Gauge({
      name: 'eaglepool_translator_downstream_connections',
      help: 'Open V1 miner connections',
      registers,
    }),
    shares: new Counter({
      name: 'eaglepool_translator_shares_total',
      help: 'V1 shares by verdict of the translator',
      labelNames: ['result'],
      registers,
    }),
    forwarded: new Counter({
      name: 'eaglepool_translator_upstream_shares_total',
      help: 'Shares forwarded to the pool by its verdict (accepted or the SV2 error code)',
      labelNames: ['result'],
      registers,
    }),
    blocks: new Counter({ name: 'eaglepool_translator_blocks_total', help: 'Block candidates', registers }),
    identity: new Counter({
      name: 'eaglepool_translator_share_identity_total',
      help: 'Forwarded shares by how the pool learns their worker: channel, tlv, or credited to the channel instead (too-long, no-extension)',
      labelNames: ['via'],
      registers,
    }),
    upstreamUp: new Gauge({
      name: 'eaglepool_translator_upstream_connected',
      help: '1 while the SV2 upstream is set up',
      registers,
    }),
    reconnects: new Counter({
      name: 'eaglepool_translator_upstream_connects_total',
      help: 'Successful upstream connection setups',
      registers,
    }),
    closed: new Counter({
      name: 'eaglepool_translator_downstream_closed_total',
      help: 'Miner connections closed by the translator, by reason',
      labelNames: ['reason'],
      registers,
    }),
  };
}

/** Unsent bytes to one miner before it is dropped as not reading. */
const MAX_BUFFERED_BYTES = 1 << 20;

/** Coarse reason label (bounded cardinality). */
function reasonLabel(reason: string): string {
  if (reason.startsWith('too many bad')) return 'bad-requests';
  if (reason.startsWith('request flood')) return 'flood';
  if (reason.startsWith('line longer')) return 'oversized-line';
  if (reason.startsWith('upstream')) return 'upstream';
  if (reason.startsWith('idle')) return 'idle';
  if (reason.startsWith('slow reader')) return 'slow-reader';
  if (reason.startsWith('slow sender')) return 'slow-sender';
  if (reason.startsWith('not authorized')) return 'authorize-timeout';
  if (reason.startsWith('per-ip')) return 'per-ip-limit';
  return 'other';
}

export const DEFAULT_CONNECTION_LIMITS = {
  maxConnectionsPerIp: 4096,
  idleTimeoutMs: 600_000,
  authorizeTimeoutMs: 30_000,
  lineTimeoutMs: 10_000,
};

/** One miner connection's deadlines, checked by the translator's sweep (no timer per connection). */
interface Connection {
  readonly socket: net.Socket;
  readonly decoder: LineDecoder;
  readonly openedAt: number;
  lastLineAt: number;
  /** When the current unfinished line began (0 = none pending). */
  partialSince: number;
  finish(reason: string, byUs: boolean): void;
}

export class Translator {
  readonly upstream: Upstream;
  readonly stats: TranslatorStats = {
    downstreams: 0,
    sharesAccepted: 0,
    sharesRejected: 0,
    creditedDifficulty: 0n,
    forwarded: 0,
    upstreamAccepted: 0,
    upstreamRejected: 0,
    blocks: 0,
  };
  private readonly listeners: { server: net.Server; opts: ListenerOptions; hub: DownstreamHub }[];
  private readonly members = new Map<UpstreamChannel, Set<V1Downstream>>();
  private readonly connections = new Map<V1Downstream, Connection>();
  private readonly perIp = new Map<string, number>();
  private readonly limits: typeof DEFAULT_CONNECTION_LIMITS;
  private readonly log: Logger;
  private readonly metrics: Metrics | undefined;
  private readonly hub: DownstreamHub;
  private readonly heights: HeightTracker;
  /** Miners already warned about being credited to their channel's identity. */
  private readonly warned = new WeakSet<V1Downstream>();
  private tickTimer: NodeJS.Timeout | undefined;
  private nextId = 1;

  private constructor(private readonly opts: TranslatorOptions) {
    this.log = opts.logger ?? silentLogger;
    this.metrics = opts.registry ? createMetrics(opts.registry) : undefined;
    this.heights = new HeightTracker(opts.heightLookup);
    this.upstream = this.createUpstream(opts);
    const limits = { ...DEFAULT_DOWNSTREAM_LIMITS, ...opts.limits };
    this.limits = {
      maxConnectionsPerIp: opts.maxConnectionsPerIp ?? DEFAULT_CONNECTION_LIMITS.maxConnectionsPerIp,
      idleTimeoutMs: opts.idleTimeoutMs ?? DEFAULT_CONNECTION_LIMITS.idleTimeoutMs,
      authorizeTimeoutMs: opts.authorizeTimeoutMs ?? DEFAULT_CONNECTION_LIMITS.authorizeTimeoutMs,
      lineTimeoutMs: opts.lineTimeoutMs ?? DEFAULT_CONNECTION_LIMITS.lineTimeoutMs,
    };
    this.hub = this.createHub(opts, limits);
    const all: ListenerOptions[] = [
      { host: opts.host, port: opts.port, dialect: opts.dialect },
      ...(opts.listeners ?? []),
    ];
    this.listeners = all.map((l) => {
      // Each port its own hub view: its dialect and its difficulty tier.
      const hub: DownstreamHub = {
        ...this.hub,
        dialect: l.dialect === undefined ? undefined : DIALECTS[l.dialect],
        startDifficulty: l.startDifficulty ?? opts.startDifficulty,
      };
      const server = net.createServer({ noDelay: true }, (socket) => this.onSocket(socket, hub));
      server.maxConnections = opts.maxConnections ?? 50_000;
      return { server, opts: l, hub };
    });
  }

  /** The SV2 side: channels' jobs fan out to their members; lost channels tell theirs. */
  private createUpstream(opts: TranslatorOptions): Upstream {
    return new Upstream(
      {
        ...opts.upstream,
        defaultIdentity: opts.user,
        nominalHashRate: opts.nominalHashRate ?? 0,
        maxChannels: opts.maxChannels ?? 1024,
        backoff: opts.backoff ?? { minMs: 250, maxMs: 30_000 },
        workerIdentityTlv: opts.workerIdentityTlv ?? true,
        negotiationTimeoutMs: opts.negotiationTimeoutMs ?? 3000,
        logger: this.log.child({ part: 'upstream' }),
      },
      {
        onChannelEvent: (ch, ev) => {
          if (ev.kind !== 'job') return;
          if (ev.clean) this.heights.heightFor(ev.job.parentHashHex);
          for (const ds of this.members.get(ch) ?? []) ds.onJob(ev.job, ev.clean);
        },
        onLost: (channels) => {
          this.metrics?.upstreamUp.set(this.upstream.connected ? 1 : 0);
          for (const ch of channels) {
            const ms = this.members.get(ch);
            this.members.delete(ch);
            for (const ds of ms ?? []) ds.onChannelLost();
          }
        },
        onConnected: () => {
          this.metrics?.upstreamUp.set(1);
          this.metrics?.reconnects.inc();
        },
      },
    );
  }

  /** What every session asks of the translator (each port adds its dialect and tier). */
  private createHub(opts: TranslatorOptions, limits: DownstreamLimits): DownstreamHub {
    return {
      channelFor: (identity, layout, cb) => this.upstream.channelFor(identity, layout, cb),
      hasChannelFor: (identity) => this.upstream.hasChannelFor(identity),
      heightOf: (parent) => this.heights.peek(parent),
      joined: (ds, ch) => {
        let s = this.members.get(ch);
        if (!s) this.members.set(ch, (s = new Set()));
        s.add(ds);
      },
      left: (ds, ch) => {
        const s = this.members.get(ch);
        if (!s) return;
        s.delete(ds);
        if (s.size === 0) {
          this.members.delete(ch);
          this.upstream.release(ch);
        }
      },
      wantsOwnChannel: (worker) => (opts.perWorkerChannels ?? true) && !this.upstream.canNameWorker(worker),
      forward: (ds, ch, job, n, block, worker) => this.forward(ds, ch, job, n, block, worker),
      onShare: (_ds, result, credited) => this.onShare(result, credited),
      vardiff: opts.vardiff ?? DEFAULT_VARDIFF,
      startDifficulty: opts.startDifficulty,
      dialect: undefined,
      limits,
      now: () => Date.now(),
    };
  }

  static async start(opts: TranslatorOptions): Promise<Translator> {
    const t = new Translator(opts);
    try {
      for (const l of t.listeners) await listen(l.server, l.opts.port, l.opts.host ?? '0.0.0.0');
    } catch (err) {
      for (const l of t.listeners) l.server.close();
      throw err;
    }
    t.upstream.start();
    // Vardiff ticks and connection deadlines: one sweep for every connection, often enough that
    // a deadline is overshot by at most a quarter of it.
    const { authorizeTimeoutMs, lineTimeoutMs, idleTimeoutMs } = t.limits;
    const every = Math.max(
      50,
      Math.min(1000, Math.min(authorizeTimeoutMs, lineTimeoutMs, idleTimeoutMs) / 4),
    );
    t.tickTimer = setInterval(() => t.sweep(Date.now()), every);
    t.tickTimer.unref();
    t.log.info('translator listening', {
      ports: t.listeners.map((l, i) => ({ port: t.ports[i], dialect: l.opts.dialect ?? 'auto' })),
      upstream: opts.upstream,
    });
    return t;
  }

  /** Dialects of the open connections (each once, sorted). */
  dialectsInUse(): string[] {
    return [...new Set([...this.connections.keys()].map((ds) => ds.dialect.name))].sort();
  }

  /** The first listener's port. */
  get port(): number {
    return this.ports[0]!;
  }

  /** Bound ports of every listener, in the order given. */
  get ports(): number[] {
    return this.listeners.map((l) => (l.server.address() as net.AddressInfo | null)?.port ?? 0);
  }

  /** Stops listening, closes every miner and the upstream. */
  async stop(): Promise<void> {
    clearInterval(this.tickTimer);
    const closed = Promise.all(
      this.listeners.map((l) => new Promise<void>((resolve) => l.server.close(() => resolve()))),
    );
    for (const [ds, c] of this.connections) {
      ds.dispose();
      c.socket.destroy();
    }
    this.upstream.stop();
    await closed;
  }

  private sweep(now: number): void {
    const { authorizeTimeoutMs, lineTimeoutMs, idleTimeoutMs } = this.limits;
    for (const [ds, c] of this.connections) {
      if (!ds.authorized && now - c.openedAt >= authorizeTimeoutMs)
        c.finish(`not authorized within ${authorizeTimeoutMs} ms`, true);
      else if (c.partialSince !== 0 && now - c.partialSince >= lineTimeoutMs)
        c.finish(`slow sender: a line unfinished for ${lineTimeoutMs} ms`, true);
      else if (now - c.lastLineAt >= idleTimeoutMs)
        c.finish(`idle: no request for ${idleTimeoutMs} ms`, true);
      else ds.tick(now);
    }
  }

  /** Counts a new connection against its address's limit; false (and closed) when over it. */
  private admit(socket: net.Socket, ip: string): boolean {
    const fromIp = this.perIp.get(ip) ?? 0;
    if (fromIp >= this.limits.maxConnectionsPerIp) {
      this.metrics?.closed.inc({ reason: 'per-ip-limit' });
      this.log.debug('connection refused: per-ip limit', { ip, limit: this.limits.maxConnectionsPerIp });
      socket.destroy();
      return false;
    }
    this.perIp.set(ip, fromIp + 1);
    return true;
  }

  /** A connection ended: its session, its address's count and the gauges. */
  private forget(ds: V1Downstream, ip: string): void {
    ds.dispose();
    this.connections.delete(ds);
    const left = (this.perIp.get(ip) ?? 1) - 1;
    if (left <= 0) this.perIp.delete(ip);
    else this.perIp.set(ip, left);
    this.stats.downstreams--;
    this.metrics?.downstreams.dec();
  }

  private onSocket(socket: net.Socket, hub: DownstreamHub): void {
    const ip = socket.remoteAddress ?? '';
    if (!this.admit(socket, ip)) return;
    const decoder = new LineDecoder(this.opts.maxLineBytes ?? 4096);
    const remote = `${socket.remoteAddress}:${socket.remotePort}`;
    let closed = false;
    const ds = new V1Downstream(
      this.nextId++,
      hub,
      (line) => {
        if (closed) return;
        if (replies) replies.push(line);
        else write(line);
      },
      (reason) => finish(reason, true),
    );
    // Replies to the lines of one read leave in one write.
    let replies: string[] | undefined;
    const write = (text: string) => {
      socket.write(text);
      // A miner that does not read must not make us buffer without bound.
      if (socket.writableLength > MAX_BUFFERED_BYTES) finish('slow reader', true);
    };
    const finish = (reason: string, byUs: boolean) => {
      if (closed) return;
      closed = true;
      this.forget(ds, ip);
      if (byUs) {
        // The replies of the read that ended it (e.g. the last error) still go out.
        if (replies && replies.length > 0 && reason !== 'slow reader') socket.write(replies.join(''));
        this.metrics?.closed.inc({ reason: reasonLabel(reason) });
        socket.end();
        setTimeout(() => socket.destroy(), 2000).unref();
      } else {
        socket.destroy();
      }
      // Per-miner acceptance: the translator's verdicts and the pool's on forwarded shares.
      this.log.info('miner disconnected', {
        remote,
        reason,
        byUs,
        user: ds.user,
        agent: ds.agent,
        dialect: ds.dialect.name,
        ...ds.stats,
      });
    };
    const now = Date.now();
    const conn: Connection = { socket, decoder, openedAt: now, lastLineAt: now, partialSince: 0, finish };
    this.connections.set(ds, conn);
    this.stats.downstreams++;
    this.metrics?.downstreams.inc();
    socket.on('data', (chunk: Buffer) => {
      if (closed) return;
      let lines: string[];
      try {
        lines = decoder.push(chunk);
      } catch (err) {
        if (err instanceof LineTooLongError) return finish(err.message, true);
        throw err;
      }
      // Only complete lines count as activity; an unfinished one must end within lineTimeoutMs.
      const at = Date.now();
      if (lines.length > 0) conn.lastLineAt = at;
      if (decoder.pending === 0) conn.partialSince = 0;
      else if (lines.length > 0 || conn.partialSince === 0) conn.partialSince = at;
      replies = [];
      for (const line of lines) {
        if (closed) break;
        ds.handleLine(line);
      }
      const out = replies;
      replies = undefined;
      if (!closed && out.length > 0) write(out.length === 1 ? out[0]! : out.join(''));
    });
    socket.on('error', () => finish('socket error', false));
    socket.on('close', () => finish('closed', false));
  }

  private onShare(result: ShareResult, credited: bigint | undefined): void {
    if (result === 'accepted') {
      this.stats.sharesAccepted++;
      this.stats.creditedDifficulty += credited ?? 0n;
    } else this.stats.sharesRejected++;
    this.metrics?.shares.inc({ result });
  }

  private forward(
    ds: V1Downstream,
    ch: UpstreamChannel,
    job: ChannelJob,
    n: Uint8Array,
    block: boolean,
    worker: string,
  ): void {
    if (block) {
      this.stats.blocks++;
      this.metrics?.blocks.inc();
      this.log.info('block candidate', { user: worker, jobId: job.id, channelId: ch.id });
    }
    this.stats.forwarded++;
    const outcome = this.upstream.submit(ch, job, n, worker, {
      onAck: (accepted, errorCode) => {
        if (accepted) {
          ds.stats.upstreamAccepted++;
          this.stats.upstreamAccepted++;
          this.metrics?.forwarded.inc({ result: 'accepted' });
        } else {
          ds.stats.upstreamRejected++;
          this.stats.upstreamRejected++;
          this.metrics?.forwarded.inc({ result: errorCode ?? 'error' });
          this.log.debug('pool rejected a share', { user: worker, errorCode, jobId: job.id });
        }
      },
    });
    if (outcome === 'down') {
      this.metrics?.forwarded.inc({ result: 'upstream-down' });
      if (block) this.log.error('block candidate not sent: upstream down', { jobId: job.id });
      return;
    }
    this.metrics?.identity.inc({ via: outcome });
    if (outcome === 'too-long' || outcome === 'no-extension') this.warnMiscredit(ds, worker, ch, outcome);
  }

  /** Once per miner: its shares are credited to the channel's identity, not to its worker name. */
  private warnMiscredit(ds: V1Downstream, worker: string, ch: UpstreamChannel, why: SubmitOutcome): void {
    if (this.warned.has(ds)) return;
    this.warned.add(ds);
    this.log.warn('worker credited to its channel identity at the pool', {
      worker,
      creditedTo: ch.userIdentity,
      reason:
        why === 'too-long'
          ? 'worker name over 32 bytes (user_identity TLV limit)'
          : 'pool without extension 0x0002',
    });
  }
}

function listen(server: net.Server, port: number, host: string): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
}
