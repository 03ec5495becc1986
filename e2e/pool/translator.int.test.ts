/**
 * V1 miners → translator → a real stratum replica (child process) → Kafka → share processor →
 * Redis: the share records carry the worker each V1 submit names. The miner subscribes first and
 * never accepts mining.set_extranonce, so it stays on the translator's shared channel and only
 * a user_identity TLV can name its worker: extension 0x0002 for names of up to 32 bytes,
 * Eaglepool's 0x4e01 for longer ones (a CKB address plus worker). The replica runs with an ack
 * window (`--set stratum.ackWindowMs=200`), which the translator does not wait for.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { difficultyToTarget, targetToBytesBE } from '../../pool/src/ckb/target.js';
import { EaglesongJob } from '../../pool/src/eaglesong/index.js';
import { RawV1Client } from '../../pool/src/translator/testing/util.js';
import { Translator } from '../../pool/src/translator/translator.js';
import { startPipeline, waitFor } from './pipeline.js';

const cleanups: (() => Promise<unknown> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

/** Shares hard enough to meet the pool's channel target too (so the translator forwards them). */
const SHARE_TARGET = targetToBytesBE(difficultyToTarget(1n << 16n));

/** A subscribe-first V1 miner that never sends mining.extranonce.subscribe. */
async function v1Miner(port: number, users: string[]) {
  const c = await RawV1Client.connect(port);
  cleanups.push(() => c.close());
  c.line('{"id":1,"method":"mining.subscribe","params":["ckbminer-v1.0.0",null]}');
  users.forEach((u, i) => c.line(`{"id":${2 + i},"method":"mining.authorize","params":["${u}","x"]}`));
  await waitFor('work', () => c.notifications('mining.notify').length > 0, 20_000);
  const en1 = ((await c.waitReply(1)).result as [null, string, number])[1];
  let nextId = 100;
  let from = 0;
  return async (worker: string): Promise<Record<string, unknown>> => {
    const [jobId, powHash] = c.notifications('mining.notify').at(-1) as [string, string];
    const job = new EaglesongJob(Buffer.from(powHash, 'hex'));
    const n = new Uint8Array(16);
    n.set(Buffer.from(en1, 'hex'));
    const [nonce] = job.search(n, from, 1 << 24, SHARE_TARGET);
    job.free();
    if (nonce === undefined) throw new Error('no share found');
    from = nonce + 1;
    new DataView(n.buffer).setUint32(12, nonce, true);
    const id = nextId++;
    const en2 = Buffer.from(n.subarray(en1.length / 2)).toString('hex');
    c.line(JSON.stringify({ id, method: 'mining.submit', params: [worker, jobId, en2] }));
    return c.waitReply(id);
  };
}

describe('translator end to end: worker names reach the share records', () => {
  it('credits each V1 share to the worker its submit names, through Kafka to Redis', async () => {
    const pipeline = await startPipeline({ networkDifficulty: 1n << 40n, blockTimeMs: 2000 });
    cleanups.push(() => pipeline.stop());
    const replica = await pipeline.startReplica('A', { sets: { 'stratum.ackWindowMs': 200 } });
    const tr = await Translator.start({
      host: '127.0.0.1',
      port: 0,
      upstream: { host: '127.0.0.1', port: replica.port, authorityPublicKey: pipeline.authorityPublicKey },
      user: 'farm.proxy',
      startDifficulty: 1024n,
    });
    cleanups.push(() => tr.stop());
    const long = 'ckb1qyq2znu0gempdahctxsm49sa9jdzq9vnka7qt9ntff.rig9'; // over 32 bytes: TLV 0x4e01
    const dan = await v1Miner(tr.port, ['dan.rig7', 'dan.rig8']);
    const eve = await v1Miner(tr.port, [long]);
    expect(tr.upstream.workerTracking).toBe(true);

    const submitted: [typeof dan, string][] = [
      [dan, 'dan.rig7'],
      [dan, 'dan.rig8'],
      [dan, 'dan.rig7'],
      [eve, long],
    ];
    for (const [miner, worker] of submitted) expect((await miner(worker)).result).toBe(true);
    expect((await dan('dan.rig9')).error).toEqual([24, 'unauthorized worker', null]);

    await waitFor('pool acknowledgements', () => tr.stats.upstreamAccepted === 4, 20_000);
    await waitFor('shares accounted', async () => (await pipeline.accountedTotal()) === 4, 30_000);
    const now = Date.now();
    const danStats = await pipeline.store.userStats('dan', now, 600);
    expect(danStats?.workers.map((w) => [w.worker, w.shares])).toEqual([
      ['rig7', 2],
      ['rig8', 1],
    ]);
    const [account, rig] = long.split('.');
    const eveStats = await pipeline.store.userStats(account!, now, 600);
    expect(eveStats?.workers.map((w) => [w.worker, w.shares])).toEqual([[rig, 1]]);
    expect(await pipeline.store.userStats('farm', now, 600)).toBeFalsy();
  }, 300_000);
});
