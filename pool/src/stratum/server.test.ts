import net from 'node:net';
import { Registry } from 'prom-client';
import { afterEach, describe, expect, it } from 'vitest';
import {
  MemoryBus,
  createShareLog,
  decodeShareMessage,
  type ShareRecord,
  poolTopicSpecs,
  poolTopics,
  type BusMessage,
} from '../bus/index.js';
import { targetToBytesBE } from '../ckb/target.js';
import { EaglesongJob } from '../eaglesong/index.js';
import { silentLogger } from '../observability/index.js';
import type { Sv2Message } from '../sv2/index.js';
import { generateAuthorityKeys, generateResponderKeys } from '../sv2/noise/index.js';
import { connectSv2, type Sv2Session } from '../sv2-net/session.js';
import type { JobTemplate } from './jobs.js';
import { standardNonce } from '../mining/nonce.js';
import { StratumServer } from './server.js';
import { createPoolSink } from './sink.js';

type Of<T extends Sv2Message['type']> = Extract<Sv2Message, { type: T }>;

const authority = generateAuthorityKeys();
const keys = generateResponderKeys({ authoritySecretKey: authority.secretKey });
const SHARE_DIFFICULTY = 64n;

function template(n: number, parent: number): JobTemplate {
  return {
    jobId: 100 + n,
    workId: `${n}`,
    number: BigInt(n),
    parentHash: new Uint8Array(32).fill(parent),
    timestamp: 1_764_069_600_000n + BigInt(n) * 1000n,
    compactTarget: 0x01010000,
    target: 1n, // no share is a block
    powHash: Uint8Array.from({ length: 32 }, (_, i) => (i * 13 + n) & 0xff),
    version: 0,
  };
}

/** A test client: records every message, waits for message types. */
class Client {
  readonly inbox: Sv2Message[] = [];
  closedReason: string | undefined;
  private waiters: (() => void)[] = [];

  private constructor(readonly session: Sv2Session) {
    session.onMessage((m) => {
      this.inbox.push(m);
      for (const w of this.waiters.splice(0)) w();
    });
    session.onClose((r) => {
      this.closedReason = r;
      for (const w of this.waiters.splice(0)) w();
    });
  }

  static async connect(port: number): Promise<Client> {
    return new Client(await connectSv2({ host: '127.0.0.1', port, authorityPublicKey: authority.publicKey }));
  }

  of<T extends Sv2Message['type']>(type: T): Of<T>[] {
    return this.inbox.filter((m): m is Of<T> => m.type === type);
  }

  async until(cond: () => boolean, what: string, ms = 10_000): Promise<void> {
    const deadline = Date.now() + ms;
    while (!cond()) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
      await new Promise<void>((resolve) => {
        this.waiters.push(resolve);
        setTimeout(resolve, 50);
      });
    }
  }

  setup(overrides: Partial<Of<'SetupConnection'>> = {}): void {
    this.session.send({
      type: 'SetupConnection',
      protocol: 0,
      minVersion: 2,
      maxVersion: 2,
      flags: 0,
      endpointHost: '127.0.0.1',
      endpointPort: 0,
      vendor: 'test',
      hardwareVersion: '',
      firmware: '',
      deviceId: '',
      ...overrides,
    });
  }

  async openStandard(user: string): Promise<Of<'OpenStandardMiningChannelSuccess'>> {
    this.setup();
    this.session.send({
      type: 'OpenStandardMiningChannel',
      requestId: 1,
      userIdentity: user,
      nominalHashRate: 0,
      maxTarget: new Uint8Array(32).fill(0xff),
    });
    await this.until(() => this.of('SetNewPrevHash').length > 0, 'first job');
    return this.of('OpenStandardMiningChannelSuccess')[0]!;
  }

  /** Finds `count` shares for the newest job and submits them; returns the sequence numbers used. */
  submitShares(
    ok: Of<'OpenStandardMiningChannelSuccess'>,
    t: JobTemplate,
    count: number,
    firstSeq = 0,
  ): void {
    const job = new EaglesongJob(t.powHash);
    const base = standardNonce(ok.extranoncePrefix, 0, 0);
    const nonces = job.search(base, 0, 200_000, targetToBytesBE((1n << 256n) / SHARE_DIFFICULTY));
    expect(nonces.length).toBeGreaterThanOrEqual(count);
    nonces.slice(0, count).forEach((nonce, i) => {
      this.session.send({
        type: 'SubmitSharesStandard',
        channelId: ok.channelId,
        sequenceNumber: firstSeq + i,
        jobId: t.jobId!,
        nonce,
        ntime: Number(t.timestamp / 1000n),
        version: 0,
      });
    });
  }

  accepted(): number {
    return this.of('SubmitSharesSuccess').reduce((n, m) => n + m.newSubmitsAcceptedCount, 0);
  }
}

async function startServer(limits = {}) {
  const bus = new MemoryBus();
  const registry = new Registry();
  const topics = poolTopics('test');
  await bus.ensureTopics(poolTopicSpecs(topics, 1));
  const logged: ShareRecord[] = [];
  await bus.subscribe({
    topic: topics.shares,
    groupId: 'test',
    fromBeginning: true,
    handler: async (batch: BusMessage[]) => {
      for (const m of batch) logged.push(...decodeShareMessage(m.value));
    },
  });
  const sink = createPoolSink({
    shareLog: createShareLog(bus, topics),
    bus,
    topics,
    submitBlock: async () => ({ accepted: false, blockHash: '', reason: 'test' }),
    replica: 7,
    logger: silentLogger,
  });
  const server = await StratumServer.start({
    host: '127.0.0.1',
    port: 0,
    keys,
    replicaId: Uint8Array.of(7),
    sink,
    vardiff: {
      targetIntervalSec: 5,
      retargetMs: 600_000,
      maxStep: 4,
      minDifficulty: SHARE_DIFFICULTY,
      maxDifficulty: 1n << 40n,
    },
    limits,
    registry,
  });
  return { server, logged, sink, bus, registry };
}

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

describe('StratumServer over TCP + Noise', () => {
  it('takes shares from several miners into the share log, acknowledged in batches', async () => {
    const { server, logged, sink, bus } = await startServer();
    cleanups.push(
      () => bus.close(),
      () => server.close(),
    );
    const t = template(1, 0xaa);
    await server.pushJob(t);
    const clients = await Promise.all([1, 2, 3].map(() => Client.connect(server.port)));
    const oks = await Promise.all(clients.map((c, i) => c.openStandard(`user${i}.rig`)));
    expect(new Set(oks.map((o) => Buffer.from(o.extranoncePrefix).toString('hex'))).size).toBe(3);
    clients.forEach((c, i) => c.submitShares(oks[i]!, t, 12));
    for (const c of clients) await c.until(() => c.accepted() === 12, '12 acks');
    await sink.settle();
    await clients[0]!.until(() => logged.length >= 36, 'share log');
    expect(new Set(logged.map((s) => s.user))).toEqual(new Set(['user0', 'user1', 'user2']));
    expect(
      logged.every((s) => s.replica === 7 && s.jobId === 101 && s.difficulty === Number(SHARE_DIFFICULTY)),
    ).toBe(true);
    for (const c of clients) {
      expect(c.of('SubmitSharesError')).toEqual([]);
      // 12 shares in at most a few reads: fewer acknowledgements than shares.
      expect(c.of('SubmitSharesSuccess').length).toBeLessThan(12);
      expect(c.of('SubmitSharesSuccess').at(-1)!.lastSequenceNumber).toBe(11);
    }
    expect(server.stats.sharesAccepted).toBe(36);
    for (const c of clients) c.session.close('done');
  });

  it('sends new jobs to every channel and rejects shares of the old tip as stale', async () => {
    const { server, bus, registry } = await startServer();
    cleanups.push(
      () => bus.close(),
      () => server.close(),
    );
    const t1 = template(1, 0xaa);
    await server.pushJob(t1);
    const c = await Client.connect(server.port);
    const ok = await c.openStandard('u');
    const t2 = template(2, 0xbb);
    await server.pushJob(t2);
    await server.pushJob(t2); // a repeated job (stream resubscribed) is ignored
    await c.until(() => c.of('SetNewPrevHash').length === 2, 'second SetNewPrevHash');
    expect(c.of('NewMiningJob').map((j) => [j.jobId, j.minNtime])).toEqual([
      [101, undefined],
      [102, undefined],
    ]);
    c.submitShares(ok, t1, 1, 0);
    await c.until(() => c.of('SubmitSharesError').length === 1, 'stale error');
    expect(c.of('SubmitSharesError')[0]!.errorCode).toBe('stale-share');
    c.submitShares(ok, t2, 3, 0);
    await c.until(() => c.accepted() === 3, '3 acks');
    const shares = await registry.getSingleMetric('eaglepool_stratum_shares_total')!.get();
    expect(Object.fromEntries(shares.values.map((v) => [v.labels.result, v.value]))).toEqual({
      accepted: 3,
      'stale-share': 1,
    });
    c.session.close('done');
  });

  it('refuses bad SetupConnection requests with SV2 error codes', async () => {
    const { server, bus } = await startServer();
    cleanups.push(
      () => bus.close(),
      () => server.close(),
    );
    const cases: [Partial<Of<'SetupConnection'>>, string, number][] = [
      [{ protocol: 1 }, 'unsupported-protocol', 0],
      [{ minVersion: 3, maxVersion: 3 }, 'protocol-version-mismatch', 0],
      [{ flags: 0x2 }, 'unsupported-feature-flags', 0x2],
    ];
    for (const [overrides, code, flags] of cases) {
      const c = await Client.connect(server.port);
      c.setup(overrides);
      await c.until(() => c.closedReason !== undefined, 'close after refusal');
      expect(c.of('SetupConnectionError')).toEqual([
        { type: 'SetupConnectionError', flags, errorCode: code },
      ]);
    }
  });

  it('closes a connection that sends garbage and keeps serving the others', async () => {
    const { server, bus } = await startServer();
    cleanups.push(
      () => bus.close(),
      () => server.close(),
    );
    const t = template(1, 0xaa);
    await server.pushJob(t);
    const good = await Client.connect(server.port);
    const ok = await good.openStandard('good');

    // Garbage instead of a Noise handshake (any 64 bytes are an ElligatorSwift key, so the
    // handshake itself goes through; the bytes after it fail the AEAD tag).
    const raw = net.connect(server.port, '127.0.0.1');
    raw.on('error', () => {});
    await new Promise((r) => raw.once('connect', r));
    raw.resume();
    raw.write(Buffer.alloc(164, 0x42));
    await new Promise((r) => raw.once('close', r));

    // Garbage after a valid handshake (fails the AEAD tag).
    const socket = net.connect(server.port, '127.0.0.1');
    const bad = await connectSv2({
      host: '127.0.0.1',
      port: server.port,
      authorityPublicKey: authority.publicKey,
      socket,
    });
    let badClosed = '';
    bad.onClose((r) => (badClosed = r));
    socket.write(Buffer.alloc(200, 0x17));
    await good.until(() => badClosed !== '', 'bad connection closed');

    // A mining message before SetupConnection.
    const early = await Client.connect(server.port);
    early.session.send({ type: 'CloseChannel', channelId: 1, reasonCode: 'x' });
    await early.until(() => early.closedReason !== undefined, 'early close');

    good.submitShares(ok, t, 3);
    await good.until(() => good.accepted() === 3, 'acks after garbage');
    expect(good.closedReason).toBeUndefined();
    good.session.close('done');
  });

  it('closes a connection whose frame exceeds the payload limit', async () => {
    const { server, bus } = await startServer({ maxFramePayload: 1024 });
    cleanups.push(
      () => bus.close(),
      () => server.close(),
    );
    const c = await Client.connect(server.port);
    c.setup();
    await c.until(() => c.of('SetupConnectionSuccess').length === 1, 'setup');
    c.session.send({
      type: 'SetCustomMiningJob',
      channelId: 2,
      requestId: 1,
      miningJobToken: new Uint8Array(0),
      version: 0,
      prevHash: new Uint8Array(32),
      minNtime: 0,
      nbits: 0,
      coinbaseTxVersion: 0,
      coinbasePrefix: new Uint8Array(0),
      coinbaseTxInputNSequence: 0,
      coinbaseTxOutputs: new Uint8Array(2000),
      coinbaseTxLocktime: 0,
      merklePath: [],
    });
    await c.until(() => c.closedReason !== undefined, 'close after oversized frame');
    expect(c.of('SetCustomMiningJobError')).toEqual([]);
  });

  it('answers RequestExtensions with .Success for extension 0x0002, .Error when none is supported', async () => {
    const { server, bus } = await startServer();
    cleanups.push(
      () => bus.close(),
      () => server.close(),
    );
    await server.pushJob(template(1, 0xaa));
    const c = await Client.connect(server.port);
    c.setup();
    c.session.send({ type: 'RequestExtensions', requestId: 6, requestedExtensions: [0x4001] });
    await c.until(() => c.of('RequestExtensionsError').length === 1, 'RequestExtensions.Error');
    expect(c.of('RequestExtensionsError')[0]).toEqual({
      type: 'RequestExtensionsError',
      requestId: 6,
      unsupportedExtensions: [0x4001],
      requiredExtensions: [],
    });
    c.session.send({ type: 'RequestExtensions', requestId: 7, requestedExtensions: [0x0002, 0x4001] });
    await c.until(() => c.of('RequestExtensionsSuccess').length === 1, 'RequestExtensions.Success');
    expect(c.of('RequestExtensionsSuccess')[0]).toEqual({
      type: 'RequestExtensionsSuccess',
      requestId: 7,
      supportedExtensions: [0x0002],
    });
    // The connection stays usable: a channel opens and gets the job afterwards.
    c.session.send({
      type: 'OpenStandardMiningChannel',
      requestId: 2,
      userIdentity: 'ext',
      nominalHashRate: 0,
      maxTarget: new Uint8Array(32).fill(0xff),
    });
    await c.until(() => c.of('SetNewPrevHash').length > 0, 'job after negotiation');
    expect(c.closedReason).toBeUndefined();
    c.session.close('done');
  });

  it('closes connections that stall in the handshake, before SetupConnection, or when idle', async () => {
    const { server, bus } = await startServer({
      handshakeTimeoutMs: 200,
      setupTimeoutMs: 200,
      idleTimeoutMs: 400,
    });
    cleanups.push(
      () => bus.close(),
      () => server.close(),
    );
    await server.pushJob(template(1, 0xaa));
    // No handshake bytes at all.
    const raw = net.connect(server.port, '127.0.0.1');
    raw.on('error', () => {});
    const rawClosed = new Promise((r) => raw.once('close', r));
    // Handshake done, no SetupConnection.
    const silent = await Client.connect(server.port);
    // Set up with a channel, then silent: the idle timeout closes it.
    const idle = await Client.connect(server.port);
    await idle.openStandard('idle');
    await rawClosed;
    await silent.until(() => silent.closedReason !== undefined, 'setup timeout');
    await idle.until(() => idle.closedReason !== undefined, 'idle timeout');
    await idle.until(() => server.stats.connections === 0, 'server-side close');
  });

  it('enforces the per-IP connection limit', async () => {
    const { server, bus } = await startServer({ maxConnectionsPerIp: 2 });
    cleanups.push(
      () => bus.close(),
      () => server.close(),
    );
    const a = await Client.connect(server.port);
    const b = await Client.connect(server.port);
    await expect(Client.connect(server.port)).rejects.toThrow();
    a.session.close('x');
    await b.until(() => server.stats.connections === 1, 'server-side close frees the slot');
    const c = await Client.connect(server.port);
    b.session.close('x');
    c.session.close('x');
  });

  it('takes 300 connections from one IP with the default limits (a farm behind a NAT)', async () => {
    const { server, bus } = await startServer();
    cleanups.push(
      () => bus.close(),
      () => server.close(),
    );
    // Until 2026-12-07 the cap was 256 per IP: the 257th miner of a farm was refused.
    const clients = [];
    for (let i = 0; i < 300; i++) clients.push(await Client.connect(server.port));
    await clients[0]!.until(() => server.stats.connections === 300, '300 server-side connections');
    for (const c of clients) c.session.close('done');
  });

  it('drains: Reconnect to every client, then closes', async () => {
    const { server, bus } = await startServer();
    cleanups.push(() => bus.close());
    await server.pushJob(template(1, 0xaa));
    const c = await Client.connect(server.port);
    await c.openStandard('u');
    const drained = server.drain(2000);
    await c.until(() => c.of('Reconnect').length === 1, 'Reconnect');
    expect(c.of('Reconnect')[0]).toEqual({ type: 'Reconnect', newHost: '', newPort: 0 });
    c.session.close('reconnecting');
    await drained;
    await expect(Client.connect(server.port)).rejects.toThrow();
  });
});
