/**
 * A light SV2 miner for end-to-end tests: real TCP + Noise, one standard channel, shares found
 * with the Eaglesong midstate (`ShareFinder`) at a bounded rate instead of worker threads, so a
 * test can run many of them on a shared 2-core machine. It keeps a ledger of every share it
 * submitted and how the pool answered, and moves to the next pool endpoint whenever its
 * connection ends (a Reconnect, a killed replica), as a miner behind a Kubernetes Service would.
 */
import { compactToTarget, targetToBytesBE, u256LEToTarget } from '../../pool/src/ckb/target.js';
import { shareIdFor } from '../../pool/src/bus/records.js';
import type { JobHashers } from '../../pool/src/loadgen/nonces.js';
import { ShareFinder } from '../../pool/src/loadgen/nonces.js';
import type { Sv2Message } from '../../pool/src/sv2/index.js';
import { MiningSetupFlags, miningSetupConnection } from '../../pool/src/sv2/index.js';
import { connectSv2, type Sv2Session } from '../../pool/src/sv2-net/session.js';

export interface Endpoint {
  /** Replica name, recorded with every channel and share. */
  name: string;
  host: string;
  port: number;
}

export interface LedgerShare {
  shareId: string;
  /** Endpoint (replica) the share was sent to. */
  replica: string;
  /** Index of the connection in this miner's life (0, 1, …). */
  connection: number;
  sequence: number;
  isBlock: boolean;
  /** 'sent': no answer (yet, or never: the connection ended first). */
  state: 'sent' | 'acked' | 'rejected';
  error?: string;
}

export interface OpenedChannel {
  replica: string;
  connection: number;
  extranoncePrefix: Uint8Array;
}

interface ActiveJob {
  id: number;
  ntime: number;
  powHashHex: string;
  networkTargetBE: Uint8Array;
}

interface Conn {
  index: number;
  endpoint: Endpoint;
  session: Sv2Session;
  channelId: number;
  prefix: Uint8Array;
  finder: ShareFinder;
  pending: Map<number, { powHash: Uint8Array; networkTargetBE: Uint8Array | undefined }>;
  job: ActiveJob | undefined;
  networkTargetBE: Uint8Array | undefined;
  shareTargetBE: Uint8Array;
  sequence: number;
  /** Shares of this connection by sequence number, not yet answered. */
  unanswered: Map<number, LedgerShare>;
}

export interface TestMinerOptions {
  user: string;
  endpoints: readonly Endpoint[];
  /** Index of the endpoint tried first. */
  first: number;
  authorityPublicKey: string;
  sharesPerSec: number;
  hashers: JobHashers;
  /** Called synchronously with the shares each SubmitShares.Success acknowledged. */
  onAck?: (shares: readonly LedgerShare[]) => void;
}

export class TestMiner {
  readonly ledger: LedgerShare[] = [];
  readonly channels: OpenedChannel[] = [];
  /** Why each connection ended, in order. */
  readonly closes: { replica: string; reason: string; reconnectAsked: boolean }[] = [];
  /** Sum of SubmitShares.Success new_submits_accepted_count. */
  ackedCount = 0;
  /** Acks whose count disagreed with the shares they covered (must stay empty). */
  readonly ackMismatches: string[] = [];
  private conn: Conn | undefined;
  private next: number;
  private connections = 0;
  private stopped = false;
  private timer: NodeJS.Timeout | undefined;
  private reconnectAsked = false;

  constructor(private readonly opts: TestMinerOptions) {
    this.next = opts.first;
  }

  /** Connects (trying endpoints in turn) and starts submitting. */
  start(): void {
    void this.connectLoop();
    this.timer = setInterval(() => this.tick(), Math.max(1, Math.round(1000 / this.opts.sharesPerSec)));
  }

  get connectedTo(): string | undefined {
    return this.conn?.endpoint.name;
  }

  acked(): LedgerShare[] {
    return this.ledger.filter((s) => s.state === 'acked');
  }

  /** Stops submitting (the connection stays open so outstanding shares get their answers). */
  pause(): void {
    clearInterval(this.timer);
  }

  /** Shares sent on the current connection and not answered yet. */
  unanswered(): number {
    return this.conn?.unanswered.size ?? 0;
  }

  stop(): void {
    this.stopped = true;
    clearInterval(this.timer);
    this.conn?.session.close('test miner stopped');
    this.conn = undefined;
  }

  private async connectLoop(): Promise<void> {
    while (!this.stopped && !this.conn) {
      const endpoint = this.opts.endpoints[this.next % this.opts.endpoints.length]!;
      try {
        await this.connect(endpoint);
      } catch {
        // Refused (killed or draining replica): try the next one, as a Service would route us.
        this.next++;
        await new Promise((r) => setTimeout(r, 100));
      }
    }
  }

  private async connect(endpoint: Endpoint): Promise<void> {
    const session = await connectSv2({
      host: endpoint.host,
      port: endpoint.port,
      authorityPublicKey: this.opts.authorityPublicKey,
    });
    const early: Sv2Message[] = [];
    let waiter: ((m: Sv2Message) => void) | undefined;
    let failed: ((reason: string) => void) | undefined;
    let conn: Conn | undefined;
    session.onMessage((m) => (conn ? this.onMessage(conn, m) : waiter ? waiter(m) : early.push(m)));
    session.onClose((reason) => (conn ? this.onClose(conn, reason) : failed?.(reason)));
    const nextOf = <T extends Sv2Message['type']>(types: T[]) =>
      new Promise<Extract<Sv2Message, { type: T }>>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no ${types.join('/')}`)), 10_000);
        failed = (reason) => (clearTimeout(timer), reject(new Error(`closed: ${reason}`)));
        waiter = (m) => {
          if (!(types as string[]).includes(m.type)) return void early.push(m);
          clearTimeout(timer);
          waiter = undefined;
          resolve(m as Extract<Sv2Message, { type: T }>);
        };
      });
    try {
      session.send(
        miningSetupConnection({
          flags: MiningSetupFlags.RequiresStandardJobs,
          endpointHost: endpoint.host,
          endpointPort: endpoint.port,
          vendor: 'eaglepool-e2e',
          hardwareVersion: 'sim',
          firmware: 'test-miner',
          deviceId: this.opts.user,
        }),
      );
      const setup = await nextOf(['SetupConnectionSuccess', 'SetupConnectionError']);
      if (setup.type === 'SetupConnectionError') throw new Error(setup.errorCode);
      session.send({
        type: 'OpenStandardMiningChannel',
        requestId: 1,
        userIdentity: this.opts.user,
        nominalHashRate: 0,
        maxTarget: new Uint8Array(32).fill(0xff),
      });
      const opened = await nextOf(['OpenStandardMiningChannelSuccess', 'OpenMiningChannelError']);
      if (opened.type === 'OpenMiningChannelError') throw new Error(opened.errorCode);
      const index = this.connections++;
      conn = {
        index,
        endpoint,
        session,
        channelId: opened.channelId,
        prefix: Uint8Array.from(opened.extranoncePrefix),
        finder: new ShareFinder(this.opts.hashers),
        pending: new Map(),
        job: undefined,
        networkTargetBE: undefined,
        shareTargetBE: targetToBytesBE(u256LEToTarget(opened.target)),
        sequence: 0,
        unanswered: new Map(),
      };
      this.channels.push({ replica: endpoint.name, connection: index, extranoncePrefix: conn.prefix });
      this.reconnectAsked = false;
      this.conn = conn;
      for (const m of early.splice(0)) this.onMessage(conn, m);
    } catch (err) {
      session.close('setup failed');
      throw err;
    }
  }

  private onClose(conn: Conn, reason: string): void {
    if (this.conn !== conn) return;
    this.closes.push({ replica: conn.endpoint.name, reason, reconnectAsked: this.reconnectAsked });
    this.conn = undefined;
    this.next++;
    if (!this.stopped) void this.connectLoop();
  }

  private onMessage(conn: Conn, msg: Sv2Message): void {
    switch (msg.type) {
      case 'NewMiningJob':
        conn.pending.set(msg.jobId, { powHash: msg.merkleRoot, networkTargetBE: conn.networkTargetBE });
        if (msg.minNtime !== undefined && conn.networkTargetBE) {
          this.activate(conn, msg.jobId, msg.minNtime, conn.networkTargetBE);
        }
        break;
      case 'SetNewPrevHash': {
        conn.networkTargetBE = targetToBytesBE(compactToTarget(msg.nbits));
        this.activate(conn, msg.jobId, msg.minNtime, conn.networkTargetBE);
        break;
      }
      case 'SetTarget':
        conn.shareTargetBE = targetToBytesBE(u256LEToTarget(msg.maximumTarget));
        conn.finder.setTarget(conn.shareTargetBE);
        break;
      case 'SubmitSharesSuccess': {
        const covered: LedgerShare[] = [];
        for (const [seq, share] of conn.unanswered) {
          if (seq > msg.lastSequenceNumber) break;
          share.state = 'acked';
          conn.unanswered.delete(seq);
          covered.push(share);
        }
        this.ackedCount += msg.newSubmitsAcceptedCount;
        if (covered.length !== msg.newSubmitsAcceptedCount) {
          this.ackMismatches.push(`ack of ${msg.newSubmitsAcceptedCount} covered ${covered.length} shares`);
        }
        this.opts.onAck?.(covered);
        break;
      }
      case 'SubmitSharesError': {
        const share = conn.unanswered.get(msg.sequenceNumber);
        if (share) {
          share.state = 'rejected';
          share.error = msg.errorCode;
          conn.unanswered.delete(msg.sequenceNumber);
        }
        break;
      }
      case 'Reconnect':
        // Stop submitting here; leave once the shares already sent have their answers (the
        // pool still validates what was in flight), or when the pool closes first.
        this.reconnectAsked = true;
        this.leaveWhenAnswered(conn);
        break;
      default:
        break;
    }
  }

  private leaveWhenAnswered(conn: Conn): void {
    if (this.conn !== conn) return;
    if (conn.unanswered.size === 0) conn.session.close('pool asked to reconnect');
    else setTimeout(() => this.leaveWhenAnswered(conn), 10);
  }

  private activate(conn: Conn, jobId: number, ntime: number, networkTargetBE: Uint8Array): void {
    const job = conn.pending.get(jobId);
    if (!job) return;
    conn.pending.clear();
    const powHashHex = Buffer.from(job.powHash).toString('hex');
    conn.job = { id: jobId, ntime, powHashHex, networkTargetBE };
    conn.finder.reset(conn.prefix, powHashHex, conn.shareTargetBE);
  }

  private tick(): void {
    const conn = this.conn;
    const job = conn?.job;
    if (!conn || !job || this.reconnectAsked) return;
    const nonce = conn.finder.next();
    if (nonce === undefined) return;
    const n = Uint8Array.from(conn.finder.base);
    new DataView(n.buffer).setUint32(12, nonce, true);
    const isBlock = this.opts.hashers.get(job.powHashHex).meets(n, job.networkTargetBE);
    const sequence = conn.sequence++;
    const share: LedgerShare = {
      shareId: shareIdFor(job.id, n),
      replica: conn.endpoint.name,
      connection: conn.index,
      sequence,
      isBlock,
      state: 'sent',
    };
    this.ledger.push(share);
    conn.unanswered.set(sequence, share);
    conn.session.send({
      type: 'SubmitSharesStandard',
      channelId: conn.channelId,
      sequenceNumber: sequence,
      jobId: job.id,
      nonce,
      ntime: job.ntime,
      version: new DataView(n.buffer).getUint32(8, true),
    });
  }
}
