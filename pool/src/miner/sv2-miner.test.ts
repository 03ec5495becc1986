import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { generateAuthorityKeys, generateResponderKeys } from '../sv2/noise/index.js';
import { acceptSv2 } from '../sv2-net/session.js';
import type { AcceptedShare, BlockCandidate } from '../stratum/engine.js';
import type { JobTemplate } from '../stratum/jobs.js';
import { StratumServer } from '../stratum/server.js';
import { Sv2Miner, type MinerMode } from './sv2-miner.js';

const authority = generateAuthorityKeys();
const keys = generateResponderKeys({ authoritySecretKey: authority.secretKey });

const stops: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const s of stops.splice(0).reverse()) await s();
});

async function until(cond: () => boolean, what: string, ms = 20_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe.each<MinerMode>(['sv2-standard', 'sv2-extended'])(
  'Sv2Miner (%s) against the stratum server',
  (mode) => {
    it('mines accepted shares and finds a block of an easy network target', async () => {
      const shares: AcceptedShare[] = [];
      const blocks: BlockCandidate[] = [];
      const server = await StratumServer.start({
        host: '127.0.0.1',
        port: 0,
        keys,
        replicaId: Uint8Array.of(1),
        sink: { onShare: (s) => shares.push(s), onBlock: (b) => blocks.push(b) },
        vardiff: {
          targetIntervalSec: 1,
          retargetMs: 600_000,
          maxStep: 4,
          minDifficulty: 256n,
          maxDifficulty: 1n << 40n,
        },
      });
      stops.push(() => server.close());
      await server.pushJob({
        jobId: 9,
        workId: '9',
        number: 9n,
        parentHash: new Uint8Array(32).fill(1),
        timestamp: 1_764_069_600_000n,
        compactTarget: 0x1f100000,
        target: 1n << 244n, // a block every ~4096 hashes
        powHash: Uint8Array.from({ length: 32 }, (_, i) => i),
        version: 0,
      });
      const miner = await Sv2Miner.start({
        host: '127.0.0.1',
        port: server.port,
        authorityPublicKey: authority.encoded.publicKey,
        user: 'alice.cpu',
        threads: 1,
        mode,
      });
      stops.push(() => miner.stop());
      await until(() => miner.stats.accepted >= 5 && blocks.length >= 1, 'accepted shares and a block');
      expect(miner.stats.rejected).toBe(0);
      expect(shares.every((s) => s.userIdentity === 'alice.cpu' && s.jobId === 9)).toBe(true);
      expect(blocks[0]!.workId).toBe('9');
    });
  },
);

const EASY_VARDIFF = {
  targetIntervalSec: 1,
  retargetMs: 600_000,
  maxStep: 4,
  minDifficulty: 256n,
  maxDifficulty: 1n << 40n,
};

function job(id: number): JobTemplate {
  return {
    jobId: id,
    workId: String(id),
    number: BigInt(id),
    parentHash: new Uint8Array(32).fill(id),
    timestamp: 1_764_069_600_000n,
    compactTarget: 0x01010000,
    target: 1n, // no blocks
    powHash: Uint8Array.from({ length: 32 }, (_, i) => i + id),
    version: 0,
  };
}

async function poolOn(port: number, shares: AcceptedShare[]): Promise<StratumServer> {
  const server = await StratumServer.start({
    host: '127.0.0.1',
    port,
    keys,
    replicaId: Uint8Array.of(1),
    sink: { onShare: (s) => shares.push(s), onBlock: () => {} },
    vardiff: EASY_VARDIFF,
  });
  await server.pushJob(job(port === 0 ? 1 : 2));
  return server;
}

/** A pool that only sets up the connection, opens the channel, then sends `Reconnect` to `to`. */
async function redirectingPool(to: { newHost: string; newPort: number }): Promise<net.Server> {
  const listener = net.createServer((socket) => {
    socket.on('error', () => {});
    void acceptSv2(socket, keys).then((session) =>
      session.onMessage((msg) => {
        if (msg.type === 'SetupConnection') {
          session.send({ type: 'SetupConnectionSuccess', usedVersion: 2, flags: 0 });
        } else if (msg.type === 'OpenStandardMiningChannel') {
          session.send({
            type: 'OpenStandardMiningChannelSuccess',
            requestId: msg.requestId,
            channelId: 1,
            target: new Uint8Array(32).fill(0xff),
            extranoncePrefix: new Uint8Array(8),
            groupChannelId: 0,
          });
          session.send({ type: 'Reconnect', ...to });
        }
      }),
    );
  });
  await new Promise<void>((r) => listener.listen(0, '127.0.0.1', r));
  return listener;
}

describe('Sv2Miner reconnects', () => {
  const fast = { initialMs: 50, maxMs: 400 };

  it('follows Reconnect to the new endpoint', async () => {
    const shares: AcceptedShare[] = [];
    const target = await poolOn(0, shares);
    stops.push(() => target.close());
    const redirect = await redirectingPool({ newHost: '127.0.0.1', newPort: target.port });
    stops.push(() => new Promise((r) => redirect.close(() => r())));
    const redirectPort = (redirect.address() as net.AddressInfo).port;
    const miner = await Sv2Miner.start({
      host: '127.0.0.1',
      port: redirectPort,
      authorityPublicKey: authority.encoded.publicKey,
      user: 'bob.cpu',
      threads: 1,
      mode: 'sv2-standard',
      reconnect: fast,
    });
    stops.push(() => miner.stop());
    await until(() => miner.stats.accepted >= 3, 'shares accepted by the pool Reconnect named');
    expect(miner.endpoint).toEqual({ host: '127.0.0.1', port: target.port });
    expect(miner.stats.connects).toBe(2);
    expect(miner.stats.failedConnects).toBe(0);
    expect(shares.every((s) => s.userIdentity === 'bob.cpu')).toBe(true);
  });

  it('comes back to the same address after a pool restart', async () => {
    const shares: AcceptedShare[] = [];
    const first = await poolOn(0, shares);
    const port = first.port;
    const miner = await Sv2Miner.start({
      host: '127.0.0.1',
      port,
      authorityPublicKey: authority.encoded.publicKey,
      user: 'carol.cpu',
      threads: 1,
      mode: 'sv2-extended',
      reconnect: fast,
    });
    stops.push(() => miner.stop());
    const closes: string[] = [];
    miner.onClose((r) => closes.push(r));
    await until(() => miner.stats.accepted >= 1, 'shares before the restart');
    // Drain: Reconnect (same address) and close, with nobody listening for a while.
    await first.close();
    await new Promise((r) => setTimeout(r, 300));
    expect(miner.channelId).toBe(0);
    const second = await poolOn(port, shares);
    stops.push(() => second.close());
    const before = miner.stats.accepted;
    await until(
      () => miner.stats.accepted > before && miner.stats.connects === 2,
      'shares after the restart',
    );
    expect(shares.filter((s) => s.jobId === 2).length).toBeGreaterThan(0);
    expect(closes).toEqual([]);
    // Nobody listened for 300 ms: the attempts meanwhile were refused, and counted.
    expect(miner.stats.failedConnects).toBeGreaterThan(0);
  });

  it('without reconnect, a lost connection stops the miner and is reported', async () => {
    const server = await poolOn(0, []);
    const miner = await Sv2Miner.start({
      host: '127.0.0.1',
      port: server.port,
      authorityPublicKey: authority.encoded.publicKey,
      user: 'dave.cpu',
      threads: 1,
      mode: 'sv2-standard',
      reconnect: false,
    });
    stops.push(() => miner.stop());
    const closes: string[] = [];
    miner.onClose((r) => closes.push(r));
    await server.close();
    await until(() => closes.length === 1, 'close reported');
    expect(miner.stats.connects).toBe(1);
  });
});
