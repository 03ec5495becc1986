/**
 * The server's one sweep for setup and idle deadlines (no per-connection timers): a connection
 * that keeps sending stays open past the idle timeout, a silent one is closed, and closing
 * releases its per-IP slot.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { generateAuthorityKeys, generateResponderKeys } from '../sv2/noise/index.js';
import { connectSv2, type Sv2Session } from '../sv2-net/session.js';
import type { Sv2Message } from '../sv2/index.js';
import { StratumServer, type StratumLimits } from './server.js';

const authority = generateAuthorityKeys();
const keys = generateResponderKeys({ authoritySecretKey: authority.secretKey });
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0)) await c();
});

async function startServer(limits: Partial<StratumLimits>): Promise<StratumServer> {
  const server = await StratumServer.start({
    host: '127.0.0.1',
    port: 0,
    keys,
    replicaId: Uint8Array.of(9),
    sink: { onShare: () => {}, onBlock: () => {} },
    limits,
  });
  cleanups.push(() => server.close());
  await server.pushJob({
    jobId: 1,
    workId: '1',
    number: 1n,
    parentHash: new Uint8Array(32).fill(1),
    timestamp: 1_764_069_600_000n,
    compactTarget: 0x01010000,
    target: 1n,
    powHash: new Uint8Array(32).fill(2),
    version: 0,
  });
  return server;
}

/** A connected client with one standard channel; `closed` resolves with the close reason. */
async function miner(
  port: number,
): Promise<{ session: Sv2Session; channelId: number; closed: Promise<string> }> {
  const session = await connectSv2({ host: '127.0.0.1', port, authorityPublicKey: authority.publicKey });
  const closed = new Promise<string>((r) => session.onClose(r));
  const opened = new Promise<number>((resolve) =>
    session.onMessage((m: Sv2Message) => {
      if (m.type === 'OpenStandardMiningChannelSuccess') resolve(m.channelId);
    }),
  );
  session.send({
    type: 'SetupConnection',
    protocol: 0,
    minVersion: 2,
    maxVersion: 2,
    flags: 0,
    endpointHost: '127.0.0.1',
    endpointPort: port,
    vendor: 'test',
    hardwareVersion: '',
    firmware: '',
    deviceId: '',
  });
  session.send({
    type: 'OpenStandardMiningChannel',
    requestId: 1,
    userIdentity: 'sweep.test',
    nominalHashRate: 0,
    maxTarget: new Uint8Array(32).fill(0xff),
  });
  return { session, channelId: await opened, closed };
}

describe('StratumServer setup and idle sweep', () => {
  it('keeps a connection that sends messages, closes a silent one, and frees its per-IP slot', async () => {
    // The idle timeout is many send intervals long, so a loaded machine's scheduling delays
    // cannot make the active miner look silent; the silent one is closed by the sweep meanwhile.
    const idleTimeoutMs = 1500;
    const server = await startServer({ idleTimeoutMs, setupTimeoutMs: 5000, maxConnectionsPerIp: 2 });
    const active = await miner(server.port);
    const silent = await miner(server.port);
    let activeClosed = false;
    let silentClosed = false;
    void active.closed.then(() => (activeClosed = true));
    void silent.closed.then(() => (silentClosed = true));

    // The active miner sends a message every 100 ms until the silent one has been closed.
    while (!silentClosed && !activeClosed) {
      await sleep(100);
      active.session.send({
        type: 'UpdateChannel',
        channelId: active.channelId,
        nominalHashRate: 1000,
        maximumTarget: new Uint8Array(32).fill(0xff),
      });
    }
    expect(await silent.closed).toMatch(/peer closed|connection closed/);
    expect(activeClosed).toBe(false);
    expect(server.stats.connections).toBe(1);

    // The silent miner's per-IP slot is free again (limit 2: active + a new one).
    const third = await miner(server.port);
    expect(server.stats.connections).toBe(2);

    // Once the active miner stops talking, it is closed too.
    expect(await active.closed).toMatch(/peer closed|connection closed/);
    expect(await third.closed).toMatch(/peer closed|connection closed/);
    expect(server.stats.connections).toBe(0);
  });

  it('closes a connection that never sends SetupConnection within the setup timeout', async () => {
    const server = await startServer({ setupTimeoutMs: 200, idleTimeoutMs: 60_000 });
    const session = await connectSv2({
      host: '127.0.0.1',
      port: server.port,
      authorityPublicKey: authority.publicKey,
    });
    // Closed by the sweep (period 50 ms here); waiting for the 60 s idle timeout would time out.
    const reason = await new Promise<string>((r) => session.onClose(r));
    expect(reason).toMatch(/peer closed|connection closed/);
    expect(server.stats.connections).toBe(0);
  });
});
