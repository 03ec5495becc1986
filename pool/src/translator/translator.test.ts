import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { EaglesongJob } from '../eaglesong/index.js';
import { V1Miner } from '../miner/v1-client.js';
import { acceptSv2 } from '../sv2-net/session.js';
import { Translator, type TranslatorOptions } from './translator.js';
import {
  RawV1Client,
  authority,
  poolKeys,
  startPool,
  template,
  until,
  type RecordingPool,
} from './testing/util.js';

const stops: (() => Promise<unknown> | void)[] = [];
afterEach(async () => {
  for (const s of stops.splice(0).reverse()) await s();
});

async function setup(
  opts: { startDifficulty?: bigint } = {},
): Promise<{ pool: RecordingPool; tr: Translator }> {
  const pool = await startPool();
  stops.push(() => pool.server.close());
  await pool.server.pushJob(template(1));
  const tr = await startTranslator(pool.server.port, {
    startDifficulty: opts.startDifficulty ?? 256n,
    backoff: { minMs: 50, maxMs: 500 },
  });
  return { pool, tr };
}

/** A translator (user `proxy.default`, difficulty 256 unless `extra` says otherwise) in front of `upstreamPort`. */
async function startTranslator(
  upstreamPort: number,
  extra: Partial<TranslatorOptions> = {},
): Promise<Translator> {
  const tr = await Translator.start({
    host: '127.0.0.1',
    port: 0,
    upstream: { host: '127.0.0.1', port: upstreamPort, authorityPublicKey: authority.encoded.publicKey },
    user: 'proxy.default',
    startDifficulty: 256n,
    ...extra,
  });
  stops.push(() => tr.stop());
  return tr;
}

/** A real share for extranonce1 on pow_hash meeting targetHex (BE): the 8 extranonce2 bytes, hex. */
function findShare(powHashHex: string, en1Hex: string, targetHex: string, skip = 0): string {
  const job = new EaglesongJob(Buffer.from(powHashHex, 'hex'));
  const base = new Uint8Array(16);
  base.set(Buffer.from(en1Hex, 'hex'), 0);
  const found = job.search(base, 0, 1 << 20, Buffer.from(targetHex, 'hex'));
  job.free();
  const nonce = found[skip];
  if (nonce === undefined) throw new Error('no share found');
  new DataView(base.buffer).setUint32(12, nonce, true);
  return Buffer.from(base.subarray(en1Hex.length / 2)).toString('hex');
}

describe('translator: V1 miner → translator → SV2 pool', () => {
  it('mines shares and a block credited to the worker, surviving pool and translator restarts', async () => {
    const { pool, tr } = await setup({ startDifficulty: 1024n });
    const miner = await V1Miner.start({
      host: '127.0.0.1',
      port: tr.port,
      user: 'alice.rig1',
      threads: 1,
      reconnect: true,
    });
    stops.push(() => miner.stop());
    await until(
      () => miner.stats.accepted >= 5 && pool.blocks.length >= 1,
      'accepted shares and a block',
      60_000,
    );
    expect(miner.stats.rejected).toBe(0);
    // The pool credits the worker (user_identity TLV on the shared channel).
    expect(pool.shares.every((s) => s.userIdentity === 'alice.rig1')).toBe(true);
    expect(pool.blocks[0]!.userIdentity).toBe('alice.rig1');

    // Pool restart: the translator reconnects with backoff, the miner keeps its connection.
    const port = pool.server.port;
    await pool.server.close();
    const pool2 = await startPool(port);
    stops.push(() => pool2.server.close());
    await pool2.server.pushJob(template(2));
    await until(() => pool2.shares.length >= 3, 'shares at the restarted pool', 60_000);
    expect(miner.stats.connects).toBe(1);
    expect(pool2.shares.every((s) => s.userIdentity === 'alice.rig1')).toBe(true);

    // Translator restart on the same port: the miner reconnects and mines again.
    const trPort = tr.port;
    await tr.stop();
    await startTranslator(port, { port: trPort, startDifficulty: 1024n });
    // Shares the old translator flushed while stopping may still land: count from the reconnect.
    await until(() => miner.stats.connects === 2, 'the miner reconnected', 60_000);
    const before = pool2.shares.length;
    await until(() => pool2.shares.length >= before + 3, 'shares after the translator restart', 60_000);
    expect(miner.stats.connects).toBe(2);
  }, 120_000);
});

describe('translator: malformed input over TCP', () => {
  it('closes oversized lines and floods, answers garbage, and keeps serving other miners', async () => {
    const { tr } = await setup();
    const big = await RawV1Client.connect(tr.port);
    big.write('{"id":1,"method":"mining.subscribe","params":["' + 'A'.repeat(5000));
    await until(() => big.closed, 'oversized line closed');

    const flood = await RawV1Client.connect(tr.port);
    flood.write('{"id":1,"method":"mining.extranonce.subscribe","params":[]}\n'.repeat(3000));
    await until(() => flood.closed, 'flood closed');

    const junk = await RawV1Client.connect(tr.port);
    stops.push(() => junk.close());
    junk.write(
      '\x00\x01\x02garbage\n{"id":3,"method":"mining.ping"}\n{"id":4,"method":"mining.submit","params":{}}\n',
    );
    await until(() => junk.received.length >= 3, 'three error replies');
    expect(junk.received.map((m) => (m.error as unknown[])[0])).toEqual([20, 26, 27]);
    expect(junk.closed).toBe(false);

    const good = await RawV1Client.connect(tr.port);
    stops.push(() => good.close());
    good.line('{"id":1,"method":"mining.subscribe","params":["ckbminer-v1.0.0",null]}');
    good.line('{"id":2,"method":"mining.authorize","params":["bob.rig","x"]}');
    expect((await good.waitReply(2)).result).toBe(true);
    await until(() => good.notifications('mining.notify').length > 0, 'notify');
    expect(tr.stats.downstreams).toBe(2);
  });
});

describe('translator: upstream Reconnect', () => {
  it('follows the pool to the new endpoint it names', async () => {
    const real = await startPool();
    stops.push(() => real.server.close());
    await real.server.pushJob(template(3));
    // A pool that accepts the connection and at once redirects to the real one.
    const redirects: string[] = [];
    const fake = net.createServer((socket) => {
      void acceptSv2(socket, poolKeys).then(
        (session) => {
          session.onMessage((m) => {
            redirects.push(m.type);
            if (m.type !== 'SetupConnection') return;
            session.send({ type: 'SetupConnectionSuccess', usedVersion: 2, flags: 0 });
            session.send({ type: 'Reconnect', newHost: '127.0.0.1', newPort: real.server.port });
          });
        },
        () => {},
      );
    });
    await new Promise<void>((r) => fake.listen(0, '127.0.0.1', r));
    stops.push(() => new Promise<void>((r) => fake.close(() => r())));
    const tr = await startTranslator((fake.address() as net.AddressInfo).port);
    const c = await RawV1Client.connect(tr.port);
    stops.push(() => c.close());
    c.line('{"id":1,"method":"mining.subscribe","params":["ckbminer-v1.0.0",null]}');
    c.line('{"id":2,"method":"mining.authorize","params":["carol.rig","x"]}');
    await until(() => c.notifications('mining.notify').length > 0, 'a job from the real pool');
    expect(redirects[0]).toBe('SetupConnection');
    expect((c.notifications('mining.notify')[0] as string[])[0]).toBe((103).toString(16));
    expect(tr.upstream.connected).toBe(true);
  });
});

describe('translator: extension negotiation with a pool that ignores RequestExtensions', () => {
  it('asks first, opens channels only after the answer or the timeout, then goes on without the TLV', async () => {
    const seen: string[] = [];
    const fake = net.createServer((socket) => {
      void acceptSv2(socket, poolKeys).then(
        (session) => {
          session.onMessage((m) => {
            seen.push(m.type);
            if (m.type === 'SetupConnection')
              session.send({ type: 'SetupConnectionSuccess', usedVersion: 2, flags: 0 });
          });
        },
        () => {},
      );
    });
    await new Promise<void>((r) => fake.listen(0, '127.0.0.1', r));
    stops.push(() => new Promise<void>((r) => fake.close(() => r())));
    const tr = await startTranslator((fake.address() as net.AddressInfo).port, {
      negotiationTimeoutMs: 300,
    });
    await until(() => seen.includes('RequestExtensions'), 'RequestExtensions');
    expect(seen).toEqual(['SetupConnection', 'RequestExtensions']);
    expect(tr.upstream.connected).toBe(false);
    await until(() => seen.includes('OpenExtendedMiningChannel'), 'the default channel after the timeout');
    expect(tr.upstream.connected).toBe(true);
    expect(tr.upstream.workerTracking).toBe(false);
  });
});

describe('translator: per-worker channels', () => {
  it('without extension 0x0002: one upstream channel per worker, closed when its miners leave, the default past the budget', async () => {
    const pool = await startPool();
    stops.push(() => pool.server.close());
    await pool.server.pushJob(template(4));
    const tr = await startTranslator(pool.server.port, {
      maxChannels: 3, // the default channel + two workers
      workerIdentityTlv: false, // as with a pool that does not support the extension
    });
    await until(() => pool.server.stats.channels === 1, 'the default channel');
    const miner = async (user: string) => {
      const c = await RawV1Client.connect(tr.port);
      stops.push(() => c.close());
      c.line('{"id":1,"method":"mining.subscribe","params":["ckbminer-v1.0.0",null]}');
      c.line('{"id":2,"method":"mining.extranonce.subscribe","params":[]}');
      c.line(`{"id":3,"method":"mining.authorize","params":["${user}","x"]}`);
      await until(() => c.notifications('mining.notify').length > 0, `work for ${user}`);
      return c;
    };
    const a = await miner('ann.rig1');
    const a2 = await miner('ann.rig1');
    const b = await miner('ben.rig1');
    expect(pool.server.stats.channels).toBe(3);
    // Both ann miners share ann's channel (same prefix) with different slices.
    const en1 = (c: RawV1Client) => (c.notifications('mining.set_extranonce').at(-1) as [string])[0];
    expect(en1(a).slice(0, 8)).toBe(en1(a2).slice(0, 8));
    expect(en1(a)).not.toBe(en1(a2));
    expect(en1(b).slice(0, 8)).not.toBe(en1(a).slice(0, 8));
    // Budget spent: a third worker stays on the default channel (no set_extranonce).
    const c = await miner('cid.rig1');
    expect(c.notifications('mining.set_extranonce')).toHaveLength(0);
    expect(pool.server.stats.channels).toBe(3);
    // ben leaves: his channel is closed at the pool; ann's stays while one ann miner remains.
    b.close();
    a.close();
    await until(() => pool.server.stats.channels === 2, 'ben channel closed');
    expect(a2.closed).toBe(false);
  });
});

describe('translator: worker identity with extension 0x0002', () => {
  /** A miner that subscribes first and never accepts set_extranonce (stays on the shared channel). */
  async function plainMiner(port: number, users: string[]) {
    const c = await RawV1Client.connect(port);
    stops.push(() => c.close());
    c.line('{"id":1,"method":"mining.subscribe","params":["ckbminer-v1.0.0",null]}');
    users.forEach((u, i) => c.line(`{"id":${2 + i},"method":"mining.authorize","params":["${u}","x"]}`));
    await until(() => c.notifications('mining.notify').length > 0, `work for ${users[0]}`);
    const en1 = ((await c.waitReply(1)).result as [null, string, number])[1];
    const [target] = c.notifications('mining.set_target')[0] as [string];
    const [jobId, powHash] = c.notifications('mining.notify')[0] as [string, string];
    let found = 0;
    let nextId = 100;
    /** Submits the next share as `worker` and returns the reply. */
    const submit = async (worker: string) => {
      const en2 = findShare(powHash, en1, target, found++);
      const id = nextId++;
      c.line(JSON.stringify({ id, method: 'mining.submit', params: [worker, jobId, en2] }));
      return c.waitReply(id);
    };
    return { c, en1, submit };
  }

  it('credits the shares of a subscribe-first miner without set_extranonce to the worker it names', async () => {
    const { pool, tr } = await setup();
    await until(() => tr.upstream.connected, 'upstream ready');
    expect(tr.upstream.workerTracking).toBe(true);
    const long = 'ckb1qyq2znu0gempdahctxsm49sa9jdzq9vnka7qt9ntff.rig9'; // 50 bytes: TLV 0x4e01
    const dan = await plainMiner(tr.port, ['dan.rig7', 'dan.rig8']);
    const eve = await plainMiner(tr.port, [long]);
    // Both on the shared channel: no channel of their own was opened.
    expect(dan.en1.slice(0, 8)).toBe(eve.en1.slice(0, 8));
    expect(pool.server.stats.channels).toBe(1);
    for (const w of ['dan.rig7', 'dan.rig8', 'dan.rig7']) expect((await dan.submit(w)).result).toBe(true);
    expect((await dan.submit('dan.rig9')).error).toEqual([24, 'unauthorized worker', null]);
    expect((await eve.submit(long)).result).toBe(true);
    await until(() => pool.shares.length === 4, 'shares at the pool');
    expect(pool.shares.map((s) => s.userIdentity)).toEqual(['dan.rig7', 'dan.rig8', 'dan.rig7', long]);
    await until(() => tr.stats.upstreamAccepted === 4, 'pool acknowledgements');
  });

  it('without the extension such miners are credited to the translator user, as before', async () => {
    const pool = await startPool();
    stops.push(() => pool.server.close());
    await pool.server.pushJob(template(1));
    const tr = await startTranslator(pool.server.port, {
      workerIdentityTlv: false,
    });
    const dan = await plainMiner(tr.port, ['dan.rig7']);
    expect((await dan.submit('dan.rig7')).result).toBe(true);
    await until(() => pool.shares.length === 1, 'share at the pool');
    expect(pool.shares[0]!.userIdentity).toBe('proxy.default');
    expect(tr.upstream.workerTracking).toBe(false);
  });
});

describe('translator: upstream loss and miners without set_extranonce', () => {
  it('disconnects them (their extranonce1 cannot change in-band) and serves them again after reconnect', async () => {
    const { pool, tr } = await setup();
    const c = await RawV1Client.connect(tr.port);
    c.line('{"id":1,"method":"mining.subscribe","params":["ckbminer-v1.0.0",null]}');
    c.line('{"id":2,"method":"mining.authorize","params":["dan.rig","x"]}');
    await until(() => c.notifications('mining.notify').length > 0, 'work');
    const port = pool.server.port;
    await pool.server.close();
    await until(() => c.closed, 'disconnected on upstream loss');
    const pool2 = await startPool(port);
    stops.push(() => pool2.server.close());
    await pool2.server.pushJob(template(5));
    const again = await RawV1Client.connect(tr.port);
    stops.push(() => again.close());
    again.line('{"id":1,"method":"mining.subscribe","params":["ckbminer-v1.0.0",null]}');
    again.line('{"id":2,"method":"mining.authorize","params":["dan.rig","x"]}');
    await until(() => again.notifications('mining.notify').length > 0, 'work after the pool came back');
    expect((again.notifications('mining.notify')[0] as string[])[0]).toBe((105).toString(16));
  });
});
