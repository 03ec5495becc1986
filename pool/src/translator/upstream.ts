/**
 * The translator's SV2 connection to the pool (I/O edge): Noise with the pool's certificate
 * checked against the authority key (`connectSv2`), SetupConnection, extended channels opened
 * on demand (one per user identity), job/target messages applied to `UpstreamChannel`s, share
 * submissions with acknowledgement tracking, reconnect with exponential backoff and the pool's
 * `Reconnect` message followed. After setup it negotiates extension 0x0002 (Worker-Specific
 * Hashrate Tracking) and then tags shares of workers other than their channel's user_identity
 * with a user_identity TLV. Eaglepool's extension 0x4e02 is requested too: channels for miners
 * whose firmware puts the pool's bytes at the tail of N (NerdMiner) are opened in the prefix-last
 * nonce layout, one per (user identity, layout).
 */
import type { NonceLayout } from '../mining/nonce.js';
import type { Logger } from '../observability/index.js';
import type { Sv2Message } from '../sv2/index.js';
import {
  EXTENSION_TYPE_EAGLEPOOL_LONG_IDENTITY,
  EXTENSION_TYPE_EAGLEPOOL_NONCE_LAYOUT,
  EXTENSION_TYPE_WORKER_HASHRATE_TRACKING,
  MAX_TLV_LONG_USER_IDENTITY_BYTES,
  NONCE_LAYOUT_PREFIX_LAST,
  MAX_TLV_USER_IDENTITY_BYTES,
  MiningSetupFlags,
  miningSetupConnection,
} from '../sv2/index.js';
import { connectSv2, type Sv2Session } from '../sv2-net/session.js';
import { UpstreamChannel, type ChannelEvent, type ChannelJob } from './channel.js';

export interface UpstreamOptions {
  host: string;
  port: number;
  authorityPublicKey: Uint8Array | string;
  /** Identity of the channel miners join before they authorize (and the fallback). */
  defaultIdentity: string;
  /** Nominal hash rate (H/s) advertised per channel (the pool's initial target). */
  nominalHashRate: number;
  /** Most channels opened on one connection (the pool allows 1024). */
  maxChannels: number;
  backoff: { minMs: number; maxMs: number };
  /** Request extensions 0x0002 and 0x4e01 after setup (user_identity TLV on shares). */
  workerIdentityTlv: boolean;
  /** Wait this long for the RequestExtensions answer, then go on without (pools may ignore it). */
  negotiationTimeoutMs: number;
  logger: Logger;
}

/**
 * Who a forwarded share is credited to at the pool: its channel's user_identity (`channel`), the
 * worker's TLV (`tlv`), or the channel although the worker differs because the name is longer
 * than a TLV can carry (`too-long`) or the pool did not accept extension 0x0002 (`no-extension`);
 * `down` = not sent (upstream not ready).
 */
export type SubmitOutcome = 'channel' | 'tlv' | 'too-long' | 'no-extension' | 'down';

/** Which TLV can name `worker` given what the pool accepted; undefined when none can. */
export function identityTlvFor(
  worker: string,
  tracking: boolean,
  longIdentity: boolean,
): 'userIdentity' | 'longUserIdentity' | undefined {
  const bytes = Buffer.byteLength(worker);
  if (tracking && bytes <= MAX_TLV_USER_IDENTITY_BYTES) return 'userIdentity';
  if (longIdentity && bytes <= MAX_TLV_LONG_USER_IDENTITY_BYTES) return 'longUserIdentity';
  return undefined;
}

/** Who submitted a share still waiting for its acknowledgement. */
export interface PendingShare {
  onAck(accepted: boolean, errorCode?: string): void;
}

export interface UpstreamEvents {
  /** A channel message changed jobs or target. */
  onChannelEvent(ch: UpstreamChannel, ev: NonNullable<ChannelEvent>): void;
  /** Every channel is gone (connection lost); new ones open after reconnecting. */
  onLost(channels: UpstreamChannel[]): void;
  onConnected(): void;
}

type Of<T extends Sv2Message['type']> = Extract<Sv2Message, { type: T }>;

/** Unacknowledged submissions kept per channel; older ones are forgotten (counted as unknown). */
const MAX_PENDING_ACKS = 100_000;

interface Opening {
  identity: string;
  layout: NonceLayout;
  requestId: number;
  waiters: Set<(ch: UpstreamChannel) => void>;
  sent: boolean;
}

/** Channels are keyed by identity and layout (user names hold no spaces: see downstream validUser). */
function channelKey(identity: string, layout: NonceLayout): string {
  return layout === 'prefix-first' ? identity : `prefix-last ${identity}`;
}

export class Upstream {
  private session: Sv2Session | undefined;
  private ready = false;
  /** Extension 0x0002 accepted by the pool on the current connection. */
  private tracking = false;
  private longIdentity = false;
  /** Extension 0x4e02 accepted: prefix-last channels can be opened. */
  private prefixLast = false;
  private negotiationTimer: NodeJS.Timeout | undefined;
  private stopped = false;
  private attempt = 0;
  private retryTimer: NodeJS.Timeout | undefined;
  private endpoint: { host: string; port: number };
  private readonly byIdentity = new Map<string, UpstreamChannel>();
  private readonly byId = new Map<number, UpstreamChannel>();
  private readonly opening = new Map<string, Opening>();
  private readonly requests = new Map<number, string>();
  private readonly pending = new Map<number, Map<number, PendingShare>>();
  private nextRequest = 1;
  readonly stats = { connects: 0, reconnects: 0, submitted: 0, accepted: 0, rejected: 0 };

  constructor(
    private readonly opts: UpstreamOptions,
    private readonly events: UpstreamEvents,
  ) {
    this.endpoint = { host: opts.host, port: opts.port };
  }

  get connected(): boolean {
    return this.ready;
  }

  get channelCount(): number {
    return this.byId.size;
  }

  /** Whether shares can name their worker in a TLV (extension 0x0002 negotiated). */
  get workerTracking(): boolean {
    return this.tracking;
  }

  /** Whether `worker` can be named per share (a TLV the pool accepted fits it). */
  canNameWorker(worker: string): boolean {
    return identityTlvFor(worker, this.tracking, this.longIdentity) !== undefined;
  }

  /** Starts connecting (and keeps reconnecting until `stop`). */
  start(): void {
    void this.connect();
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.retryTimer);
    clearTimeout(this.negotiationTimer);
    this.session?.close('translator stopping');
  }

  /**
   * See DownstreamHub.channelFor. A prefix-last channel the pool cannot open (no extension
   * 0x4e02) is answered with the prefix-first one: the session then refuses to serve the miner.
   */
  channelFor(
    identity: string | undefined,
    layout: NonceLayout,
    cb: (ch: UpstreamChannel) => void,
  ): () => void {
    const dflt = this.opts.defaultIdentity;
    let id = identity ?? dflt;
    const open = this.byIdentity.get(channelKey(id, layout));
    if (open) {
      cb(open);
      return () => {};
    }
    if (id !== dflt && this.byId.size + this.opening.size >= this.opts.maxChannels) {
      id = dflt; // channel budget spent: share the default channel
      const shared = this.byIdentity.get(channelKey(id, layout));
      if (shared) {
        cb(shared);
        return () => {};
      }
    }
    const key = channelKey(id, layout);
    let o = this.opening.get(key);
    if (!o) {
      o = { identity: id, layout, requestId: 0, waiters: new Set(), sent: false };
      this.opening.set(key, o);
    }
    const waiter = cb;
    o.waiters.add(waiter);
    if (this.ready && !o.sent) this.sendOpen(key, o);
    const opening = o;
    return () => {
      opening.waiters.delete(waiter);
    };
  }

  /** Whether `identity` has (or may open) a channel of its own within the channel budget. */
  hasChannelFor(identity: string): boolean {
    return (
      this.byIdentity.has(identity) ||
      this.opening.has(identity) ||
      this.byId.size + this.opening.size < this.opts.maxChannels
    );
  }

  /** Closes a channel nobody uses any more (never the default one). */
  release(ch: UpstreamChannel): void {
    const key = channelKey(ch.userIdentity, ch.layout);
    if (key === this.opts.defaultIdentity || this.byId.get(ch.id) !== ch) return;
    this.byId.delete(ch.id);
    this.byIdentity.delete(key);
    this.pending.delete(ch.id);
    ch.dispose();
    this.session?.send({ type: 'CloseChannel', channelId: ch.id, reasonCode: 'no-miners' });
  }

  /**
   * Sends a share of `worker` (an authorized V1 name); `who` hears the pool's verdict. A worker
   * other than the channel's user_identity is named in a user_identity TLV when the pool accepted
   * extension 0x0002 and the name fits (<= 32 bytes); otherwise the channel's identity is credited.
   */
  submit(
    ch: UpstreamChannel,
    job: ChannelJob,
    n: Uint8Array,
    worker: string,
    who: PendingShare,
  ): SubmitOutcome {
    if (!this.ready || this.byId.get(ch.id) !== ch || !this.session) return 'down';
    const msg = ch.submission(job, n);
    let outcome: SubmitOutcome = 'channel';
    if (worker !== ch.userIdentity) {
      const tlv = identityTlvFor(worker, this.tracking, this.longIdentity);
      if (tlv) {
        msg[tlv] = worker;
        outcome = 'tlv';
      } else outcome = this.tracking || this.longIdentity ? 'too-long' : 'no-extension';
    }
    let acks = this.pending.get(ch.id);
    if (!acks) this.pending.set(ch.id, (acks = new Map()));
    if (acks.size >= MAX_PENDING_ACKS) acks.delete(acks.keys().next().value as number);
    acks.set(msg.sequenceNumber, who);
    this.stats.submitted++;
    this.session.send(msg);
    return outcome;
  }

  private async connect(): Promise<void> {
    if (this.stopped) return;
    const log = this.opts.logger;
    const { host, port } = this.endpoint;
    let session: Sv2Session;
    try {
      session = await connectSv2({ host, port, authorityPublicKey: this.opts.authorityPublicKey });
    } catch (err) {
      log.warn('upstream connect failed', { host, port, err: (err as Error).message });
      this.scheduleRetry();
      return;
    }
    if (this.stopped) {
      session.close('translator stopping');
      return;
    }
    this.session = session;
    session.onMessage((msg) => this.onMessage(session, msg));
    session.onClose((reason) => this.onClose(session, reason));
    session.send(
      miningSetupConnection({
        flags: MiningSetupFlags.RequiresVersionRolling,
        endpointHost: host,
        endpointPort: port,
        vendor: 'eaglepool',
        hardwareVersion: 'translator',
        firmware: 'eaglepool-translator',
        deviceId: `translator-${process.pid}`,
      }),
    );
  }

  private scheduleRetry(): void {
    if (this.stopped) return;
    const { minMs, maxMs } = this.opts.backoff;
    const base = Math.min(maxMs, minMs * 2 ** Math.min(this.attempt, 20));
    const delay = Math.round(base * (0.8 + 0.4 * Math.random()));
    this.attempt++;
    this.stats.reconnects++;
    this.retryTimer = setTimeout(() => void this.connect(), delay);
    this.retryTimer.unref();
  }

  private onClose(session: Sv2Session, reason: string): void {
    if (session !== this.session) return;
    this.session = undefined;
    const wasReady = this.ready;
    this.ready = false;
    this.tracking = false;
    this.longIdentity = false;
    this.prefixLast = false;
    clearTimeout(this.negotiationTimer);
    const lost = [...this.byId.values()];
    this.byId.clear();
    this.byIdentity.clear();
    this.pending.clear();
    this.requests.clear();
    for (const o of this.opening.values()) o.sent = false;
    for (const ch of lost) ch.dispose();
    if (!this.stopped) this.opts.logger.warn('upstream closed', { reason, wasReady });
    if (lost.length > 0) this.events.onLost(lost);
    this.scheduleRetry();
  }

  private onMessage(session: Sv2Session, msg: Sv2Message): void {
    const log = this.opts.logger;
    switch (msg.type) {
      case 'SetupConnectionSuccess':
        return this.onSetUp(session);
      case 'RequestExtensionsSuccess':
        return this.onNegotiated(session, msg.supportedExtensions);
      case 'RequestExtensionsError':
        // The pool then disconnects if it required something; nothing here can satisfy that.
        if (msg.requiredExtensions.length > 0)
          log.error('pool requires extensions', { required: msg.requiredExtensions });
        return this.onNegotiated(session, []);
      case 'SetupConnectionError':
        log.error('upstream refused SetupConnection', { errorCode: msg.errorCode });
        session.close(`setup refused: ${msg.errorCode}`);
        return;
      case 'OpenExtendedMiningChannelSuccess':
        return this.onOpened(msg);
      case 'OpenMiningChannelError':
        return this.onRefused(session, msg);
      case 'NewExtendedMiningJob':
      case 'SetNewPrevHash':
      case 'SetTarget': {
        const ch = this.byId.get(msg.channelId);
        if (!ch) return;
        if (msg.type === 'NewExtendedMiningJob' && msg.coinbaseTxPrefix.length < 32) {
          log.warn('job without a 32-byte pow_hash ignored', { jobId: msg.jobId });
          return;
        }
        const ev = ch.apply(msg);
        if (ev) this.events.onChannelEvent(ch, ev);
        return;
      }
      case 'SubmitSharesSuccess':
      case 'SubmitSharesError':
        return this.onVerdict(msg);
      case 'Reconnect': {
        // Empty host / port 0 mean "the same" (SV2 spec).
        const host = msg.newHost || this.endpoint.host;
        const port = msg.newPort || this.endpoint.port;
        log.info('upstream asked us to reconnect', { host, port });
        this.endpoint = { host, port };
        this.attempt = 0;
        session.close('pool sent Reconnect');
        return;
      }
      case 'CloseChannel':
        return this.onChannelClosed(msg);
      default:
        return;
    }
  }

  /** SetupConnection.Success: negotiate the extensions before any Mining Protocol message. */
  private onSetUp(session: Sv2Session): void {
    const log = this.opts.logger;
    this.attempt = 0;
    this.stats.connects++;
    log.info('upstream connected', this.endpoint);
    // The answer must arrive before other Mining Protocol messages ([SPEC] 0x0001 §4.2).
    session.send({
      type: 'RequestExtensions',
      requestId: 1,
      requestedExtensions: [
        ...(this.opts.workerIdentityTlv
          ? [EXTENSION_TYPE_WORKER_HASHRATE_TRACKING, EXTENSION_TYPE_EAGLEPOOL_LONG_IDENTITY]
          : []),
        EXTENSION_TYPE_EAGLEPOOL_NONCE_LAYOUT,
      ],
    });
    this.negotiationTimer = setTimeout(() => {
      log.warn('no answer to RequestExtensions: continuing without extensions');
      this.onNegotiated(session, []);
    }, this.opts.negotiationTimeoutMs);
    this.negotiationTimer.unref();
  }

  /** OpenMiningChannel.Error: the default channel is required; other miners fall back to it. */
  private onRefused(session: Sv2Session, msg: Of<'OpenMiningChannelError'>): void {
    const key = this.requests.get(msg.requestId);
    this.requests.delete(msg.requestId);
    if (key === undefined) return;
    const o = this.opening.get(key);
    this.opening.delete(key);
    this.opts.logger.warn('upstream refused a channel', { channel: key, errorCode: msg.errorCode });
    if (key === this.opts.defaultIdentity) {
      session.close(`default channel refused: ${msg.errorCode}`);
      return;
    }
    // Fall back to the default channel of the layout (the default prefix-first one if that failed).
    const wanted = o?.layout ?? 'prefix-first';
    const layout = key === channelKey(this.opts.defaultIdentity, wanted) ? 'prefix-first' : wanted;
    for (const w of o?.waiters ?? []) this.channelFor(undefined, layout, w);
  }

  /** SubmitShares.Success (every share up to its sequence number) or .Error (one share). */
  private onVerdict(msg: Of<'SubmitSharesSuccess'> | Of<'SubmitSharesError'>): void {
    const acks = this.pending.get(msg.channelId);
    if (!acks) return;
    if (msg.type === 'SubmitSharesError') {
      const who = acks.get(msg.sequenceNumber);
      if (!who) return;
      acks.delete(msg.sequenceNumber);
      this.stats.rejected++;
      who.onAck(false, msg.errorCode);
      return;
    }
    for (const [seq, who] of acks) {
      if (seq > msg.lastSequenceNumber) break;
      acks.delete(seq);
      this.stats.accepted++;
      who.onAck(true);
    }
  }

  private onChannelClosed(msg: Of<'CloseChannel'>): void {
    const ch = this.byId.get(msg.channelId);
    if (!ch) return;
    this.opts.logger.warn('upstream closed a channel', { channelId: ch.id, reason: msg.reasonCode });
    this.byId.delete(ch.id);
    this.byIdentity.delete(channelKey(ch.userIdentity, ch.layout));
    ch.dispose();
    this.events.onLost([ch]);
  }

  /** Setup and extension negotiation done: open the channels, tell the translator. */
  private onNegotiated(session: Sv2Session, extensions: readonly number[]): void {
    if (session !== this.session || this.ready) return;
    clearTimeout(this.negotiationTimer);
    this.ready = true;
    this.tracking = extensions.includes(EXTENSION_TYPE_WORKER_HASHRATE_TRACKING);
    this.longIdentity = extensions.includes(EXTENSION_TYPE_EAGLEPOOL_LONG_IDENTITY);
    this.prefixLast = extensions.includes(EXTENSION_TYPE_EAGLEPOOL_NONCE_LAYOUT);
    this.opts.logger.info('upstream ready', {
      workerIdentityTlv: this.tracking,
      longWorkerIdentityTlv: this.longIdentity,
      prefixLastLayout: this.prefixLast,
    });
    // The default channel always exists (miners subscribing get a slice of it at once).
    const dflt = this.opts.defaultIdentity;
    if (!this.opening.has(dflt))
      this.opening.set(dflt, {
        identity: dflt,
        layout: 'prefix-first',
        requestId: 0,
        waiters: new Set(),
        sent: false,
      });
    for (const [key, o] of [...this.opening]) if (!o.sent) this.sendOpen(key, o);
    this.events.onConnected();
  }

  private sendOpen(key: string, o: Opening): void {
    if (o.layout === 'prefix-last' && !this.prefixLast) {
      // The pool cannot put its bytes at the tail of N: hand these miners the prefix-first channel.
      this.opening.delete(key);
      this.opts.logger.warn('pool did not accept extension 0x4e02: no prefix-last channel', {
        identity: o.identity,
      });
      for (const w of o.waiters) this.channelFor(o.identity, 'prefix-first', w);
      return;
    }
    o.requestId = this.nextRequest++ >>> 0;
    o.sent = true;
    this.requests.set(o.requestId, key);
    this.session!.send({
      type: 'OpenExtendedMiningChannel',
      requestId: o.requestId,
      userIdentity: o.identity,
      nominalHashRate: this.opts.nominalHashRate,
      maxTarget: new Uint8Array(32).fill(0xff),
      // A slice of >= 1 byte plus the 4 bytes of extranonce2 that fall in the extranonce.
      minExtranonceSize: 5,
      nonceLayout: o.layout === 'prefix-last' ? NONCE_LAYOUT_PREFIX_LAST : undefined,
    });
  }

  private onOpened(msg: Of<'OpenExtendedMiningChannelSuccess'>): void {
    const key = this.requests.get(msg.requestId);
    this.requests.delete(msg.requestId);
    if (key === undefined) return;
    const o = this.opening.get(key);
    this.opening.delete(key);
    if (!o) return;
    let ch: UpstreamChannel;
    try {
      ch = UpstreamChannel.fromSuccess(msg, o.identity, o.layout);
    } catch (err) {
      this.opts.logger.error('unusable channel from the pool', { err: (err as Error).message });
      this.session?.close('unusable extranonce layout');
      return;
    }
    this.byId.set(ch.id, ch);
    this.byIdentity.set(key, ch);
    this.opts.logger.info('upstream channel open', {
      identity: o.identity,
      layout: o.layout,
      channelId: ch.id,
      prefix: msg.extranoncePrefix,
      extranonceSize: msg.extranonceSize,
    });
    if (key !== this.opts.defaultIdentity && o.waiters.size === 0) {
      this.release(ch); // every miner that wanted it left while it was opening
      return;
    }
    for (const w of o.waiters) w(ch);
  }
}
