/**
 * The SV2 stratum server: the I/O edge around `StratumEngine`.
 *
 * Responsibilities: a Noise-only TCP listener (`acceptSv2`), per-IP connection limits,
 * handshake / setup / idle timeouts, SetupConnection checks, handing Mining Protocol
 * messages to the engine, fanning jobs out in slices, reporting accepted shares and block
 * candidates to a `StratumSink`, metrics, and a graceful drain (Reconnect, then close).
 * Notes: shares are validated inline on the event loop (one Eaglesong permutation each);
 * the sink is called synchronously and owns any asynchronous logging.
 */
import net from 'node:net';
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import type { ErrorCodeOf, Sv2Message } from '../sv2/index.js';
import { MiningSetupFlags, Sv2Protocol, SV2_PROTOCOL_VERSION } from '../sv2/index.js';
import type { ResponderKeys } from '../sv2/noise/index.js';
import {
  EphemeralKeyPool,
  Sv2SessionError,
  acceptSv2,
  refillEphemeralKeys,
  type Sv2Session,
  type Sv2SessionHandler,
} from '../sv2-net/session.js';
import type { Logger } from '../observability/index.js';
import { silentLogger } from '../observability/index.js';
import {
  SHARE_NOT_LOGGED,
  StratumEngine,
  toConfirmation,
  type AcceptedShare,
  type BlockCandidate,
  type MiningConnection,
} from './engine.js';
import type { JobTemplate } from './jobs.js';
import { EaglesongJob } from '../eaglesong/index.js';
import type { CounterSource } from './extranonce.js';
import type { VardiffConfig } from '../mining/vardiff.js';

/**
 * Where accepted shares and block candidates go (share log, block maker). Called synchronously.
 * A returned thenable is the confirmation the acknowledgement waits for (see `Confirmation` in
 * engine.ts); any other return value means durable now.
 */
export interface StratumSink {
  onShare(share: AcceptedShare): unknown;
  onBlock(block: BlockCandidate): unknown;
}

export interface StratumLimits {
  /** Open connections per remote IP. */
  maxConnectionsPerIp: number;
  /** Open connections in total. */
  maxConnections: number;
  /** Noise handshake must finish within this time. */
  handshakeTimeoutMs: number;
  /** SetupConnection must arrive within this time after the handshake. */
  setupTimeoutMs: number;
  /**
   * A set-up connection that sends no message for this long is closed (checked by one sweep
   * over all connections, so it closes up to a quarter of this, at most 2 s, later).
   */
  idleTimeoutMs: number;
  /** Largest accepted SV2 payload (bytes); larger frames close the connection. */
  maxFramePayload: number;
}

export const DEFAULT_LIMITS: StratumLimits = {
  // A farm behind one NAT is one IP (until 2026-12-07: 256, which locked farms out on failover).
  maxConnectionsPerIp: 5000,
  maxConnections: 50_000,
  handshakeTimeoutMs: 10_000,
  setupTimeoutMs: 10_000,
  idleTimeoutMs: 600_000,
  // The largest client message is SubmitSharesExtended / OpenExtendedMiningChannel (~300 B).
  maxFramePayload: 4096,
};

export interface StratumServerOptions {
  host?: string;
  /** Refuses channels whose user name fails it (EngineConfig.userCheck). */
  userCheck?: (userIdentity: string) => string | undefined;
  /** 0 picks a free port (see `port` after start). */
  port: number;
  keys: ResponderKeys;
  /** 1–2 bytes unique across replicas (first bytes of every extranonce prefix). */
  replicaId: Uint8Array;
  /** Extranonce counters reserved in the store (`PrefixRanges`); default: from 0 in this process. */
  counters?: CounterSource;
  sink: StratumSink;
  vardiff?: VardiffConfig;
  shareBatchSize?: number;
  /** Acknowledgement window in ms (see EngineConfig.ackWindowMs; 0 = end of the read turn). */
  ackWindowMs?: number;
  limits?: Partial<StratumLimits>;
  /** Connections sent jobs per event-loop turn during a fan-out. */
  fanOutSlice?: number;
  /**
   * Noise ephemeral keys prepared in idle time (background top-up), so a reconnect burst of up to
   * this many miners skips key generation in the handshake; 0 disables. Default 256.
   */
  ephemeralKeyPool?: number;
  logger?: Logger;
  /** Registry for `eaglepool_stratum_*` metrics (none when absent). */
  registry?: Registry;
}

export interface StratumStats {
  connections: number;
  channels: number;
  sharesAccepted: number;
  sharesRejected: number;
  blocks: number;
  /** Duration of the newest complete job fan-out, ms. */
  lastFanOutMs: number;
}

/** Client flags this pool accepts in SetupConnection (work selection is not offered). */
const SUPPORTED_FLAGS = MiningSetupFlags.RequiresStandardJobs | MiningSetupFlags.RequiresVersionRolling;

interface Metrics {
  blocks: Counter;
  connections: Gauge;
  channels: Gauge;
  fanOut: Histogram;
  refused: Counter<'reason'>;
}

/**
 * `shareResults()` gives the share counts by result, kept as plain numbers (a labelled
 * prom-client increment per share costs a label check and a hash lookup on the hot path); the
 * counter reads them when scraped.
 */
function createMetrics(registry: Registry, shareResults: () => Iterable<[string, number]>): Metrics {
  const registers = [registry];
  new Counter({
    name: 'eaglepool_stratum_shares_total',
    help: 'Share submissions by result (accepted or the SV2 error code)',
    labelNames: ['result'],
    registers,
    collect() {
      this.reset();
      for (const [result, count] of shareResults()) this.inc({ result }, count);
    },
  });
  return {
    blocks: new Counter({
      name: 'eaglepool_stratum_blocks_total',
      help: 'Block candidates found',
      registers,
    }),
    connections: new Gauge({
      name: 'eaglepool_stratum_connections',
      help: 'Open SV2 connections',
      registers,
    }),
    channels: new Gauge({ name: 'eaglepool_stratum_channels', help: 'Open mining channels', registers }),
    fanOut: new Histogram({
      name: 'eaglepool_stratum_job_fanout_seconds',
      help: 'Time to send a job to every connection',
      buckets: [0.001, 0.005, 0.02, 0.05, 0.1, 0.2, 0.5, 1, 2],
      registers,
    }),
    refused: new Counter({
      name: 'eaglepool_stratum_refused_connections_total',
      help: 'Connections closed before or during setup, by reason',
      labelNames: ['reason'],
      registers,
    }),
  };
}

/**
 * One accepted connection after its handshake. It is the session's handler object, so an idle
 * connection holds no closures or timers of its own: setup and idle deadlines are checked by
 * the server's sweep against `since`.
 */
class Client implements Sv2SessionHandler {
  mining: MiningConnection | undefined;
  /** performance.now() when the handshake finished or the connection last sent a message. */
  since: number;

  constructor(
    private readonly server: StratumServer,
    readonly session: Sv2Session,
    readonly socket: net.Socket,
    readonly ip: string,
    now: number,
  ) {
    this.since = now;
  }

  onSv2Message(msg: Sv2Message): void {
    this.server.onClientMessage(this, msg);
  }

  onSv2Close(reason: string): void {
    this.server.onClientClose(this, reason);
  }
}

// Shared socket listener: per-connection closures would cost memory on every idle connection.
function ignoreError(): void {}

export class StratumServer {
  readonly engine: StratumEngine;
  private readonly listener: net.Server;
  private readonly limits: StratumLimits;
  private readonly perIp = new Map<string, number>();
  private readonly clients = new Set<Client>();
  private readonly log: Logger;
  private readonly metrics: Metrics | undefined;
  private readonly fanOutSlice: number;
  private fanOutGeneration = 0;
  private draining = false;
  private tickTimer: NodeJS.Timeout | undefined;
  private sweepTimer: NodeJS.Timeout | undefined;
  private readonly ephemeralKeys: EphemeralKeyPool | undefined;
  private stopRefill: (() => void) | undefined;
  private boundPort = 0;
  /** Shares accepted when validated (a plain field: counted per share), for the metrics. */
  private acceptedShares = 0;
  /** Share submissions refused, by SV2 error code, for the metrics. */
  private readonly refusedShares = new Map<string, number>();
  readonly stats: StratumStats = {
    connections: 0,
    channels: 0,
    sharesAccepted: 0,
    sharesRejected: 0,
    blocks: 0,
    lastFanOutMs: 0,
  };

  private constructor(private readonly opts: StratumServerOptions) {
    this.limits = { ...DEFAULT_LIMITS, ...opts.limits };
    this.log = opts.logger ?? silentLogger;
    this.metrics = opts.registry
      ? createMetrics(opts.registry, () => [['accepted', this.acceptedShares], ...this.refusedShares])
      : undefined;
    this.fanOutSlice = opts.fanOutSlice ?? 2000;
    const poolSize = opts.ephemeralKeyPool ?? 256;
    this.ephemeralKeys = poolSize > 0 ? new EphemeralKeyPool(poolSize) : undefined;
    const sink = opts.sink;
    this.engine = new StratumEngine(
      {
        replicaId: opts.replicaId,
        counters: opts.counters,
        makeHasher: (powHash) => new EaglesongJob(powHash),
        vardiff: opts.vardiff,
        shareBatchSize: opts.shareBatchSize,
        ackWindowMs: opts.ackWindowMs,
        userCheck: opts.userCheck,
      },
      {
        onShare: (share) => {
          this.stats.sharesAccepted++;
          this.acceptedShares++;
          return toConfirmation(sink.onShare(share));
        },
        onBlock: (block) => {
          this.stats.blocks++;
          this.metrics?.blocks.inc();
          this.log.info('block candidate', {
            workId: block.workId,
            height: block.height,
            user: block.userIdentity,
            jobId: block.jobId,
          });
          return toConfirmation(sink.onBlock(block));
        },
        onReject: (code) => {
          this.stats.sharesRejected++;
          this.countRefused(code, 1);
        },
        onNotLogged: (count) => {
          // Counted as accepted when validated; answered with share-not-logged after all.
          this.stats.sharesAccepted -= count;
          this.stats.sharesRejected += count;
          this.countRefused(SHARE_NOT_LOGGED, count);
        },
      },
    );
    this.listener = net.createServer({ noDelay: true }, (socket) => this.onSocket(socket));
    this.listener.maxConnections = this.limits.maxConnections;
  }

  /** Starts listening; resolves once the port is bound. */
  static async start(opts: StratumServerOptions): Promise<StratumServer> {
    const server = new StratumServer(opts);
    await new Promise<void>((resolve, reject) => {
      server.listener.once('error', reject);
      server.listener.listen(opts.port, opts.host ?? '0.0.0.0', () => {
        server.listener.off('error', reject);
        server.boundPort = (server.listener.address() as net.AddressInfo).port;
        resolve();
      });
    });
    server.tickTimer = setInterval(() => server.engine.tick(), 1000);
    server.tickTimer.unref();
    server.sweepTimer = setInterval(() => server.sweep(), server.sweepPeriodMs());
    server.sweepTimer.unref();
    if (server.ephemeralKeys) server.stopRefill = refillEphemeralKeys(server.ephemeralKeys);
    return server;
  }

  /** The bound TCP port (valid after `start`). */
  get port(): number {
    return this.boundPort;
  }

  /**
   * A new job from the job maker: registered at once (shares for it validate immediately),
   * then sent to every connection in slices of `fanOutSlice` per event-loop turn. A newer
   * job supersedes a fan-out still in progress (`sendJob` catches channels up).
   */
  pushJob(template: JobTemplate): Promise<void> {
    // A job stream that resubscribes may repeat jobs: a known id is not a new job.
    if (template.jobId !== undefined && this.engine.jobs.lookup(template.jobId) !== 'unknown') {
      this.log.debug('job already known', { jobId: template.jobId });
      return Promise.resolve();
    }
    const { job } = this.engine.newJob(template);
    const generation = ++this.fanOutGeneration;
    const targets = [...this.clients];
    const start = performance.now();
    return new Promise((resolve) => {
      let i = 0;
      const slice = () => {
        if (generation !== this.fanOutGeneration) return resolve();
        const end = Math.min(targets.length, i + this.fanOutSlice);
        for (; i < end; i++) targets[i]!.mining?.sendJob(job);
        if (i < targets.length) {
          setImmediate(slice);
          return;
        }
        this.stats.lastFanOutMs = performance.now() - start;
        this.metrics?.fanOut.observe(this.stats.lastFanOutMs / 1000);
        resolve();
      };
      slice();
    });
  }

  /**
   * Graceful drain: stop accepting, wait (up to `graceMs`) for the confirmations of the shares
   * accepted so far and send their acknowledgements, send Reconnect (same host and port: clients
   * come back to another replica behind the service), then close what is left after `graceMs`.
   */
  async drain(graceMs = 5000): Promise<void> {
    if (this.draining) return;
    this.draining = true;
    const closed = new Promise<void>((resolve) => this.listener.close(() => resolve()));
    const deadline = Date.now() + graceMs;
    if (graceMs > 0) {
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<void>((resolve) => (timer = setTimeout(resolve, graceMs)));
      await Promise.race([this.engine.confirmed(), timeout]);
      clearTimeout(timer);
    }
    for (const c of this.clients) {
      c.mining?.flush();
      c.session.send({ type: 'Reconnect', newHost: '', newPort: 0 });
    }
    while (this.clients.size > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    for (const c of [...this.clients]) c.session.close('server shutting down');
    if (this.tickTimer) clearInterval(this.tickTimer);
    if (this.sweepTimer) clearInterval(this.sweepTimer);
    this.stopRefill?.();
    await closed;
    this.engine.jobs.clear();
  }

  /** True from the start of a drain: the replica takes no new miners. */
  get isDraining(): boolean {
    return this.draining;
  }

  /** Closes everything at once. */
  async close(): Promise<void> {
    await this.drain(0);
  }

  private countRefused(code: string, count: number): void {
    this.refusedShares.set(code, (this.refusedShares.get(code) ?? 0) + count);
  }

  /** Sweep often enough that a deadline is overshot by at most a quarter of it (≤ 2 s). */
  private sweepPeriodMs(): number {
    const shortest = Math.min(this.limits.setupTimeoutMs, this.limits.idleTimeoutMs);
    return Math.max(10, Math.min(2000, Math.floor(shortest / 4)));
  }

  /** Closes connections past their setup or idle deadline (one timer for all connections). */
  private sweep(): void {
    const now = performance.now();
    const setupBefore = now - this.limits.setupTimeoutMs;
    const idleBefore = now - this.limits.idleTimeoutMs;
    for (const c of this.clients) {
      if (c.mining === undefined) {
        if (c.since < setupBefore) c.session.close('no SetupConnection');
      } else if (c.since < idleBefore) {
        c.session.close(`idle for ${this.limits.idleTimeoutMs} ms`);
      }
    }
  }

  private onSocket(socket: net.Socket): void {
    const ip = socket.remoteAddress ?? 'unknown';
    if (this.draining) return this.refuse(socket, 'draining');
    const count = this.perIp.get(ip) ?? 0;
    if (count >= this.limits.maxConnectionsPerIp) return this.refuse(socket, 'per-ip-limit');
    this.perIp.set(ip, count + 1);
    // Until the session exists; it then reports every socket error itself.
    socket.on('error', ignoreError);

    // acceptSv2 enforces the handshake deadline itself (and rejects with a reason saying so).
    acceptSv2(socket, this.opts.keys, {
      handshakeTimeoutMs: this.limits.handshakeTimeoutMs,
      maxFrame: this.limits.maxFramePayload,
      ephemeralKeys: this.ephemeralKeys,
    }).then(
      (session) => {
        socket.off('error', ignoreError);
        this.onSession(session, socket, ip);
      },
      (err: unknown) => {
        const timedOut = err instanceof Sv2SessionError && err.reason.startsWith('handshake timeout');
        this.metrics?.refused.inc({ reason: timedOut ? 'handshake-timeout' : 'handshake-failed' });
        this.log.debug('handshake failed', { ip, err });
        socket.destroy();
        this.releaseIp(ip);
      },
    );
  }

  private releaseIp(ip: string): void {
    const left = (this.perIp.get(ip) ?? 1) - 1;
    if (left <= 0) this.perIp.delete(ip);
    else this.perIp.set(ip, left);
  }

  private refuse(socket: net.Socket, reason: string): void {
    this.metrics?.refused.inc({ reason });
    socket.on('error', ignoreError);
    socket.destroy();
  }

  private onSession(session: Sv2Session, socket: net.Socket, ip: string): void {
    const client = new Client(this, session, socket, ip, performance.now());
    this.clients.add(client);
    this.stats.connections = this.clients.size;
    this.metrics?.connections.set(this.clients.size);
    // Also reports a close during the handshake's last turn (the session was closed already).
    session.attach(client);
  }

  /** @internal a connection's session ended (Client.onSv2Close) */
  onClientClose(client: Client, reason: string): void {
    if (!this.clients.delete(client)) return;
    client.mining?.close();
    this.releaseIp(client.ip);
    this.stats.connections = this.clients.size;
    this.stats.channels = this.engine.channelCount;
    this.metrics?.connections.set(this.clients.size);
    this.metrics?.channels.set(this.engine.channelCount);
    this.log.debug('connection closed', { ip: client.ip, reason });
    client.socket.destroy();
  }

  /** @internal a message from a connection (Client.onSv2Message) */
  onClientMessage(client: Client, msg: Sv2Message): void {
    client.since = performance.now();
    if (client.mining) {
      if (client.mining.handle(msg)) {
        if (
          msg.type === 'OpenStandardMiningChannel' ||
          msg.type === 'OpenExtendedMiningChannel' ||
          msg.type === 'CloseChannel'
        ) {
          this.stats.channels = this.engine.channelCount;
          this.metrics?.channels.set(this.engine.channelCount);
        }
        return;
      }
      return this.onOtherMessage(client, msg);
    }
    if (msg.type !== 'SetupConnection')
      return client.session.close(`expected SetupConnection, got ${msg.type}`);
    this.onSetup(client, msg);
  }

  private onSetup(client: Client, msg: Extract<Sv2Message, { type: 'SetupConnection' }>): void {
    const { session } = client;
    const refuse = (flags: number, errorCode: ErrorCodeOf<'SetupConnectionError'>) => {
      this.metrics?.refused.inc({ reason: errorCode });
      session.send({ type: 'SetupConnectionError', flags, errorCode });
      // Let the error reach the client before closing.
      setTimeout(() => session.close(`SetupConnection refused: ${errorCode}`), 100).unref();
    };
    if (msg.protocol !== Sv2Protocol.Mining) return refuse(0, 'unsupported-protocol');
    if (msg.minVersion > SV2_PROTOCOL_VERSION || msg.maxVersion < SV2_PROTOCOL_VERSION) {
      return refuse(0, 'protocol-version-mismatch');
    }
    const unsupported = (msg.flags & ~SUPPORTED_FLAGS) >>> 0;
    if (unsupported !== 0) return refuse(unsupported, 'unsupported-feature-flags');
    session.send({ type: 'SetupConnectionSuccess', usedVersion: SV2_PROTOCOL_VERSION, flags: 0 });
    client.mining = this.engine.connect((m) => session.send(m), {
      requiresStandardJobs: (msg.flags & MiningSetupFlags.RequiresStandardJobs) !== 0,
      frames: session,
    });
  }

  private onOtherMessage(client: Client, msg: Sv2Message): void {
    if (msg.type === 'SetCustomMiningJob') {
      const errorCode: ErrorCodeOf<'SetCustomMiningJobError'> = 'jd-not-supported';
      client.session.send({
        type: 'SetCustomMiningJobError',
        channelId: msg.channelId,
        requestId: msg.requestId,
        errorCode,
      });
      return;
    }
    // Anything else (a second SetupConnection, server-to-client messages) is a protocol violation.
    client.session.close(`unexpected ${msg.type}`);
  }
}
