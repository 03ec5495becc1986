/**
 * #19 items 1 and 4 with `eaglepool pool stratum` processes (e2e/pool pipeline: job maker, block
 * maker, share processor, devnet; Kafka from the harness):
 * - item 4: a replica SIGKILLed and restarted under the same name gets its replica id back at
 *   once and must not re-issue any extranonce prefix (until 2026-12-07 its counter restarted
 *   at 0: 2,302 of 2,344 acks to new miners were for share ids already credited);
 * - item 1: the pool's Redis frozen (SIGSTOP) for 30 s under 800 shares/s: the replica keeps
 *   serving, /readyz says the truth (not ready once the lease's validity ran out, ready again
 *   after), and miners are served after Redis returns, with no process restart (until
 *   2026-12-07 it drained at the first failed renewal and never listened again).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { JobHashers } from '../../pool/src/loadgen/nonces.js';
import { runLoad, type LoadReport } from '../../pool/src/loadgen/loadgen.js';
import { startPipeline, type Pipeline } from '../pool/pipeline.js';
import { TestMiner, type Endpoint } from '../pool/test-miner.js';
import { freeze, startPrivateRedis, waitFor } from './processes.js';

const cleanups: (() => Promise<unknown> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

function miners(pipeline: Pipeline, endpoint: Endpoint, hashers: JobHashers, tag: string): TestMiner[] {
  const list = Array.from(
    { length: 4 },
    (_, i) =>
      new TestMiner({
        user: `user${i}.${tag}${i}`,
        endpoints: [endpoint],
        first: 0,
        authorityPublicKey: pipeline.authorityPublicKey,
        sharesPerSec: 8,
        hashers,
      }),
  );
  for (const m of list) m.start();
  cleanups.push(() => list.forEach((m) => m.stop()));
  return list;
}

const acked = (list: TestMiner[]) => list.flatMap((m) => m.acked());

describe('stratum replica faults', () => {
  it('a replica restarted after SIGKILL never re-issues an extranonce prefix', async () => {
    const pipeline = await startPipeline({ networkDifficulty: 1n << 40n, blockTimeMs: 600_000 });
    cleanups.push(() => pipeline.stop());
    const hashers = new JobHashers();
    cleanups.push(() => hashers.free());

    const first = await pipeline.startReplica('R');
    const before = miners(pipeline, { name: 'R1', host: '127.0.0.1', port: first.port }, hashers, 'a');
    await waitFor('40 shares acknowledged by the first process', () => acked(before).length >= 40, 60_000);
    first.kill('SIGKILL');
    await first.exited;
    for (const m of before) m.stop();

    const second = await pipeline.startReplica('R'); // same instanceId: the lease gives the id back
    cleanups.push(() => second.stop());
    expect(second.replicaId).toBe(first.replicaId);
    const after = miners(pipeline, { name: 'R2', host: '127.0.0.1', port: second.port }, hashers, 'b');
    await waitFor('40 shares acknowledged by the restarted process', () => acked(after).length >= 40, 60_000);

    const hex = (list: TestMiner[]) =>
      list.flatMap((m) => m.channels).map((c) => Buffer.from(c.extranoncePrefix).toString('hex'));
    const old = new Set(hex(before));
    const reissued = hex(after).filter((p) => old.has(p));
    const oldShares = new Set(before.flatMap((m) => m.ledger.map((s) => s.shareId)));
    const repeated = acked(after).filter((s) => oldShares.has(s.shareId));
    console.log(
      `[faults] restart: ${old.size} prefixes before, ${hex(after).length} after, ${reissued.length} re-issued; ` +
        `${acked(after).length} acks after the restart, ${repeated.length} for share ids sent before it`,
    );
    expect(reissued).toEqual([]);
    expect(repeated).toEqual([]);
  });

  it('Redis frozen 30 s at 800 shares/s: served throughout, readiness true to the lease, no restart', async () => {
    const redis = await startPrivateRedis(35201);
    cleanups.push(() => redis.stop());
    const shared = process.env.EAGLEPOOL_REDIS_URL;
    process.env.EAGLEPOOL_REDIS_URL = redis.url; // the whole pipeline on the Redis we freeze
    cleanups.push(() => void (process.env.EAGLEPOOL_REDIS_URL = shared));
    const pipeline = await startPipeline({ networkDifficulty: 1n << 60n, blockTimeMs: 600_000 });
    cleanups.push(() => pipeline.stop());
    const HEALTH = 35202;
    const replica = await pipeline.startReplica('F', {
      sets: { 'stratum.minDifficulty': 1, 'stratum.replicaLeaseTtlMs': 15_000, 'stratum.healthPort': HEALTH },
    });
    cleanups.push(() => replica.stop());
    const pid = replica.pid;

    const states: string[] = [];
    let polling = true;
    const poll = (async () => {
      while (polling) {
        const r = await fetch(`http://127.0.0.1:${HEALTH}/readyz`).catch(() => undefined);
        states.push(r ? `${r.status} ${(await r.text()).trim()}` : 'down');
        await new Promise((res) => setTimeout(res, 200));
      }
    })();
    cleanups.push(async () => ((polling = false), await poll));
    await waitFor('the replica ready', () => states.at(-1)?.startsWith('200') === true, 30_000);

    const load = (durationSec: number): Promise<LoadReport> =>
      runLoad({
        host: '127.0.0.1',
        port: replica.port,
        mode: 'sv2',
        connections: 16,
        rate: 800,
        maxInFlight: 256,
        durationSec,
        authorityPublicKey: pipeline.authorityPublicKey,
        user: 'faults.w',
      });
    const during = load(38);
    await new Promise((r) => setTimeout(r, 3000));
    freeze(redis.pid, true);
    const frozenAt = states.length;
    await new Promise((r) => setTimeout(r, 30_000));
    freeze(redis.pid, false);
    const resumedAt = states.length;
    const whileFrozen = await during;
    await waitFor(
      'the replica ready again after Redis resumed',
      () => states.at(-1)?.startsWith('200') === true,
      60_000,
    );
    const readyAgainAfter = (states.length - resumedAt) * 0.2;
    const afterReport = await load(5);
    polling = false;
    await poll;

    const frozenStates = states.slice(frozenAt, resumedAt);
    const notReady = frozenStates.filter((s) => s.startsWith('503'));
    console.log(
      `[faults] Redis frozen 30 s: ${whileFrozen.accepted} shares acknowledged in the 38 s window ` +
        `(${whileFrozen.acceptedPerSec.toFixed(0)}/s, ${whileFrozen.rejected} rejected); /readyz during the freeze: ` +
        `${frozenStates.length - notReady.length} ready, ${notReady.length} not ready (${notReady[0] ?? ''}); ready again ` +
        `~${readyAgainAfter.toFixed(1)} s after SIGCONT; afterwards ${afterReport.accepted} acknowledged, ${afterReport.rejected} rejected`,
    );
    expect(replica.alive).toBe(true);
    expect(replica.pid).toBe(pid);
    expect(whileFrozen.rejected).toBe(0);
    expect(whileFrozen.accepted).toBeGreaterThan(800 * 30);
    expect(notReady.some((s) => s.includes('replica id lease'))).toBe(true);
    expect(afterReport.accepted).toBeGreaterThan(0);
    expect(afterReport.rejected).toBe(0);
  });
});
