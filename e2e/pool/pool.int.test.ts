/**
 * End to end with real infrastructure: simulated SV2 miners over loopback TCP + Noise → two
 * `eaglepool pool stratum` replicas, each its own process, sharing the harness's Redis →
 * Kafka shares topic → share processor → Redis; job maker and block maker (gRPC) against the
 * devnet. What is proved is listed in docs/testing.md.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { JobHashers } from '../../pool/src/loadgen/nonces.js';
import { deadPort, startPipeline, waitFor, type Pipeline } from './pipeline.js';
import type { ReplicaProcess } from './replica.js';
import { TestMiner, type Endpoint, type LedgerShare } from './test-miner.js';

const MINERS = 8;
const SHARES_PER_SEC = 8; // per miner; share difficulty stays at the pool's floor (1,024 hashes)
// ~128 floor shares per block: a block every couple of seconds for the whole farm.
const NETWORK_DIFFICULTY = 1n << 17n;

const cleanups: (() => Promise<unknown> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function setup(opts: { blockmakerUrlOfA?: string } = {}) {
  const pipeline = await startPipeline({ networkDifficulty: NETWORK_DIFFICULTY, blockTimeMs: 2000 });
  cleanups.push(() => pipeline.stop());
  const [a, b] = await Promise.all([
    pipeline.startReplica('A', { blockmakerUrl: opts.blockmakerUrlOfA }),
    pipeline.startReplica('B'),
  ]);
  const endpoints: Endpoint[] = [
    { name: 'A', host: '127.0.0.1', port: a!.port },
    { name: 'B', host: '127.0.0.1', port: b!.port },
  ];
  const hashers = new JobHashers();
  cleanups.push(() => hashers.free());
  return { pipeline, a: a!, b: b!, endpoints, hashers };
}

function startMiners(
  ctx: { pipeline: Pipeline; endpoints: Endpoint[]; hashers: JobHashers },
  onAck?: (shares: readonly LedgerShare[]) => void,
): TestMiner[] {
  const miners = Array.from(
    { length: MINERS },
    (_, i) =>
      new TestMiner({
        user: `user${i % 3}.rig${i}`,
        endpoints: ctx.endpoints,
        first: i % 2,
        authorityPublicKey: ctx.pipeline.authorityPublicKey,
        sharesPerSec: SHARES_PER_SEC,
        hashers: ctx.hashers,
        onAck,
      }),
  );
  for (const m of miners) m.start();
  cleanups.push(() => miners.forEach((m) => m.stop()));
  return miners;
}

const ledger = (miners: TestMiner[]) => miners.flatMap((m) => m.ledger);
const acked = (miners: TestMiner[], replica?: string) =>
  ledger(miners).filter((s) => s.state === 'acked' && (replica === undefined || s.replica === replica));

function logs(...replicas: ReplicaProcess[]): string {
  return replicas.map((r) => r.tail()).join('\n');
}

/** Stops submitting and waits until every share on a live connection has its answer. */
async function quiesce(miners: TestMiner[]): Promise<void> {
  for (const m of miners) m.pause();
  await waitFor(
    'answers to every outstanding share',
    () => miners.every((m) => m.unanswered() === 0) || `${miners.map((m) => m.unanswered())}`,
    15_000,
  );
}

/**
 * Extranonce prefixes of every channel ever opened, on both replicas: no two may overlap (one a
 * prefix of the other), and each starts with its replica's id byte.
 */
function expectDisjointNonceSpace(miners: TestMiner[], ids: Record<string, number>): void {
  const channels = miners.flatMap((m) => m.channels);
  expect(new Set(Object.values(ids)).size).toBe(Object.keys(ids).length);
  for (const c of channels) expect(c.extranoncePrefix[0], `channel on ${c.replica}`).toBe(ids[c.replica]);
  const hex = channels.map((c) => Buffer.from(c.extranoncePrefix).toString('hex'));
  for (let i = 0; i < hex.length; i++) {
    for (let j = 0; j < hex.length; j++) {
      if (i !== j) expect(hex[i]!.startsWith(hex[j]!), `prefix ${hex[j]} covers ${hex[i]}`).toBe(false);
    }
  }
}

/**
 * Every given block share id has an outcome recorded by the block maker (`stale` or `side` when
 * another pool block took the height first: the node refuses it or keeps it as a side block); each
 * accepted one is on the devnet's main chain, paying the pool's lock. Returns the accepted hashes.
 */
async function expectBlocksOnChain(pipeline: Pipeline, shareIds: Iterable<string>): Promise<string[]> {
  const chain = new Map(pipeline.devnet.blocks().map((b) => [b.hash, b]));
  const accepted: string[] = [];
  for (const id of shareIds) {
    const found = await pipeline.store.blockByShare(id);
    expect(found, `outcome of block share ${id}`).toBeDefined();
    expect(['accepted', 'side', 'stale'], `${id}: ${found!.status} ${found!.reason}`).toContain(
      found!.status,
    );
    if (found!.status !== 'accepted') continue;
    const block = chain.get(found!.blockHash);
    expect(block, `block ${found!.blockHash} on the devnet chain`).toBeDefined();
    // Found by the pool: the cellbase pays the block assembler lock of the job maker's templates.
    expect(block!.minerLock).toEqual(pipeline.devnet.lock);
    accepted.push(found!.blockHash);
  }
  return accepted;
}

describe('pool end to end: miners → 2 stratum processes → Kafka → share processor → Redis', () => {
  it('accounts exactly the acknowledged shares, puts blocks on the devnet, and drains on SIGTERM', async () => {
    const ctx = await setup();
    const { pipeline, a, b } = ctx;
    const miners = startMiners(ctx);
    const startHeight = pipeline.devnet.tipNumber();

    await waitFor(
      'shares acknowledged by both replicas and 2 pool blocks on the devnet',
      () =>
        (acked(miners, 'A').length >= 40 &&
          acked(miners, 'B').length >= 40 &&
          pipeline.devnet.tipNumber() >= startHeight + 2n) ||
        `A ${acked(miners, 'A').length}, B ${acked(miners, 'B').length}, height +${pipeline.devnet.tipNumber() - startHeight}`,
      30_000,
      () => logs(a, b),
    );

    // SIGTERM drain: B's miners get Reconnect, come back on A and keep mining there.
    const onB = miners.filter((m) => m.connectedTo === 'B');
    expect(onB.length).toBe(MINERS / 2);
    const ackedOnABefore = new Map(onB.map((m) => [m, m.acked().filter((s) => s.replica === 'A').length]));
    b.kill('SIGTERM');
    await waitFor(
      'replica B to exit after draining',
      () => !b.alive,
      15_000,
      () => logs(b),
    );
    expect(b.exitCode, logs(b)).toBe(0);
    for (const m of onB) {
      expect(m.closes.at(-1)).toMatchObject({ replica: 'B', reconnectAsked: true });
    }
    await waitFor(
      "B's miners acknowledged on A after the drain",
      () => onB.every((m) => m.acked().filter((s) => s.replica === 'A').length >= ackedOnABefore.get(m)! + 5),
      20_000,
      () => logs(a),
    );

    await quiesce(miners);
    const ackedShares = acked(miners);
    const ackedCount = miners.reduce((n, m) => n + m.ackedCount, 0);
    await waitFor(
      'the share processor to account every acknowledged share',
      async () =>
        ((await pipeline.sharesDrained()) && (await pipeline.accountedTotal()) === ackedCount) ||
        `accounted ${await pipeline.accountedTotal()} of ${ackedCount}`,
      20_000,
      () => logs(a, b),
    );

    expect(miners.flatMap((m) => m.ackMismatches)).toEqual([]);
    expect(ackedShares.length).toBe(ackedCount);
    // Exact: every acknowledged share is accounted, once, and nothing else is.
    expect(await pipeline.accountedTotal()).toBe(ackedCount);
    expect((await pipeline.accountedOf(ackedShares.map((s) => s.shareId))).size).toBe(ackedCount);
    const rejected = ledger(miners).filter((s) => s.state === 'rejected');
    expect((await pipeline.accountedOf(rejected.map((s) => s.shareId))).size).toBe(0);
    // A graceful drain answers every share: none left without a verdict.
    expect(ledger(miners).filter((s) => s.state === 'sent')).toEqual([]);

    expectDisjointNonceSpace(miners, { A: a.replicaId, B: b.replicaId });
    const blocks = await expectBlocksOnChain(
      pipeline,
      ackedShares.filter((s) => s.isBlock).map((s) => s.shareId),
    );
    expect(blocks.length).toBeGreaterThanOrEqual(2);
    console.info(
      `[e2e/pool] SIGTERM run: ${ackedCount} shares acknowledged = accounted, ${rejected.length} rejected, ` +
        `${blocks.length} blocks accepted, ${miners.reduce((n, m) => n + m.channels.length, 0)} channels`,
    );
  }, 60_000);

  it('SIGKILL of a replica: miners move to the other one; nothing it acknowledged is lost', async () => {
    // A cannot reach the block maker over gRPC: its blocks can only arrive through the
    // Kafka block-candidates backstop.
    const ctx = await setup({ blockmakerUrlOfA: `127.0.0.1:${await deadPort()}` });
    const { pipeline, a, b } = ctx;
    let backstopProven = false;
    let killedAfter: LedgerShare | undefined;
    // Kill A the moment a miner holds the acknowledgement of a block share A accepted (once an
    // earlier block of A already went through the backstop): the most adverse moment.
    const miners = startMiners(ctx, (shares) => {
      const block = shares.find((s) => s.isBlock && s.replica === 'A');
      if (block && backstopProven && !killedAfter) {
        killedAfter = block;
        a.kill('SIGKILL');
      }
    });
    await waitFor(
      "a block of A on the devnet through the backstop (A's gRPC path is dead)",
      async () => {
        for (const s of acked(miners, 'A').filter((x) => x.isBlock)) {
          if ((await pipeline.store.blockByShare(s.shareId))?.status === 'accepted') return true;
        }
        return false;
      },
      40_000,
      () => logs(a),
    );
    backstopProven = true;
    await waitFor(
      'another block share acknowledged by A',
      () => killedAfter !== undefined,
      40_000,
      () => logs(a),
    );
    await a.exited;
    expect(a.exitSignal).toBe('SIGKILL');
    const killHeight = pipeline.devnet.tipNumber();
    const onA = miners.filter((m) => m.channels.some((c) => c.replica === 'A'));
    await waitFor(
      'every miner to be acknowledged on B after the kill',
      () =>
        miners.every((m) => m.connectedTo === 'B') &&
        onA.every((m) => m.acked().filter((s) => s.replica === 'B' && s.connection > 0).length >= 5),
      20_000,
      () => logs(b),
    );
    await waitFor('a later pool block through B', () => pipeline.devnet.tipNumber() > killHeight, 20_000);

    await quiesce(miners);
    await b.stop(); // SIGTERM: B drains and flushes its share log before exiting
    expect(b.exitCode, logs(b)).toBe(0);
    await waitFor('the shares topic to be consumed', () => pipeline.sharesDrained(), 20_000);

    // Shares acknowledged by the surviving replica: all accounted.
    const ackedB = acked(miners, 'B');
    expect((await pipeline.accountedOf(ackedB.map((s) => s.shareId))).size).toBe(ackedB.length);

    // Shares acknowledged by the killed replica: a replica acknowledges a share only once its
    // Kafka append is confirmed, so even a SIGKILL right after an acknowledgement loses none.
    const ackedA = acked(miners, 'A');
    const accountedA = await pipeline.accountedOf(ackedA.map((s) => s.shareId));
    const lost = ackedA.filter((s) => !accountedA.has(s.shareId));
    expect(
      lost.map((s) => `${s.shareId} (connection ${s.connection})`),
      'shares acknowledged by A but never accounted',
    ).toEqual([]);
    // Nothing accounted that no miner sent; shares left unanswered by the kill may be either.
    const sent = ledger(miners).filter((s) => s.state !== 'rejected');
    expect(await pipeline.accountedTotal()).toBe(
      (await pipeline.accountedOf(sent.map((s) => s.shareId))).size,
    );

    // Blocks: every acknowledged block share (on either replica) is in the block-candidates
    // topic, since the acknowledgement waits for that write; every logged candidate has an
    // outcome (on the chain, or stale). A's can only have come through the backstop (A is dead
    // and its gRPC path never worked), including the one acknowledged right before the kill.
    const logged = await pipeline.loggedCandidates();
    const blockShares = ledger(miners).filter((s) => s.isBlock && s.state === 'acked');
    const lostBlocks = blockShares.filter((s) => !logged.has(s.shareId));
    expect(
      lostBlocks.map((s) => `${s.shareId} on ${s.replica}`),
      'acknowledged block shares missing from the block-candidates log',
    ).toEqual([]);
    expect(logged.has(killedAfter!.shareId), 'the block share acknowledged right before the kill').toBe(true);
    await expectBlocksOnChain(pipeline, logged);
    const fromA = new Set(
      ledger(miners)
        .filter((s) => s.replica === 'A')
        .map((s) => s.shareId),
    );
    const viaBackstop = (
      await expectBlocksOnChain(
        pipeline,
        [...logged].filter((id) => fromA.has(id)),
      )
    ).length;
    expect(viaBackstop).toBeGreaterThanOrEqual(1);
    const killedBlock = await pipeline.store.blockByShare(killedAfter!.shareId);

    expectDisjointNonceSpace(miners, { A: a.replicaId, B: b.replicaId });
    for (const m of onA) expect(m.closes[0]).toMatchObject({ replica: 'A', reconnectAsked: false });
    const unanswered = ledger(miners).filter((s) => s.state === 'sent').length;
    console.info(
      `[e2e/pool] SIGKILL run: A acknowledged ${ackedA.length} shares, all accounted; B acknowledged ` +
        `${ackedB.length}, all accounted; ${unanswered} unanswered at the kill (may or may not be accounted); ` +
        `${viaBackstop} blocks of A via the backstop; the block share acknowledged right before the kill: ` +
        `${killedBlock!.status}`,
    );
  }, 60_000);
});
