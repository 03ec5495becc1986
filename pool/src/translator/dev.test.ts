import { afterEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../observability/index.js';
import { startDevPool, type DevPool } from '../stratum/dev-pool.js';
import type { MinerDialectName } from '../miner/v1-dialects.js';
import { startDevV1Path, type DevV1Path } from './dev.js';
import { RawV1Client, until } from './testing/util.js';

let pool: DevPool | undefined;
let v1: DevV1Path | undefined;
afterEach(async () => {
  await v1?.stop();
  await pool?.stop();
  v1 = undefined;
  pool = undefined;
});

/** The dev pool and its V1 path (translator + demo miner speaking `dialect`). */
async function startDev(dialect?: MinerDialectName): Promise<{ pool: DevPool; v1: DevV1Path }> {
  pool = await startDevPool({ stratumPort: 0, logger: silentLogger });
  v1 = await startDevV1Path({
    poolPort: pool.stratumPort,
    authorityPublicKey: pool.authorityPublicKey,
    ckbRpcUrl: pool.devnet!.url,
    threads: 1,
    dialect,
    logger: silentLogger,
  });
  return { pool, v1 };
}

describe('pool dev with the V1 demo miner through the translator', () => {
  it('finds blocks that the devnet accepts (V1 miner → translator → SV2 pool → block maker → node)', async () => {
    const { pool, v1 } = await startDev();
    // A plain V1 client (btcpool dialect: parent hash in notify params[3]) watching notifies: heights come from the node (get_header of the parent).
    const watcher = await RawV1Client.connect(v1.translator.port);
    watcher.line('{"id":1,"method":"mining.subscribe","params":["eaglepool-watcher",null]}');
    watcher.line('{"id":2,"method":"mining.authorize","params":["dev.watcher","x"]}');
    const hashes: string[] = [];
    await new Promise<void>((resolve) =>
      pool!.onBlockAccepted((hash) => {
        hashes.push(hash);
        if (hashes.length >= 2) resolve();
      }),
    );
    const chain = new Set(pool.devnet!.blocks().map((b) => b.hash));
    for (const h of hashes) expect(chain.has(h)).toBe(true);
    // Notifies never wait for the node, so the first ones after start may carry a guess; once
    // answers are in, notifies carry the node's height (parent number + 1).
    const numberOf = new Map<string, number>();
    const onKnownParent = () => {
      for (const b of pool!.devnet!.blocks()) numberOf.set(b.hash.replace(/^0x/, ''), Number(b.number));
      return (watcher.notifications('mining.notify') as [string, string, number, string, boolean][]).filter(
        (n) => (numberOf.get(n[3]) ?? 0) > 0,
      );
    };
    const newestRight = () => {
      const newest = onKnownParent().at(-1);
      return newest !== undefined && newest[2] === numberOf.get(newest[3])! + 1;
    };
    await until(newestRight, 'a notify with the height of the block after its parent');
    watcher.close();
    expect(v1.miner.stats.accepted).toBeGreaterThanOrEqual(2);
    // Only shares racing a tip change (submitted before the clean notify arrived) are refused.
    if (v1.miner.stats.rejected > 0) expect(v1.miner.stats.lastError).toBe('job not found');
    // On the devnet nearly every share is a block: shares racing the next tip come back stale.
    expect(v1.translator.stats.upstreamAccepted).toBeGreaterThanOrEqual(2);
    expect(v1.translator.stats.blocks).toBeGreaterThanOrEqual(2);
  }, 90_000);

  // `pool dev --miner v1 --dialect NAME`: each family's demo miner, recognised by its user agent.
  it.each([['k7'], ['goldshell'], ['viabtc'], ['nerdminer']] as const)(
    'the %s demo miner finds a block the devnet accepts',
    async (dialect) => {
      const { pool, v1 } = await startDev(dialect);
      const hash = await new Promise<string>((resolve) => pool.onBlockAccepted((h) => resolve(h)));
      expect(pool.devnet!.blocks().some((b) => b.hash === hash)).toBe(true);
      expect(v1.translator.stats.blocks).toBeGreaterThanOrEqual(1);
      expect(v1.translator.stats.upstreamAccepted).toBeGreaterThanOrEqual(1);
      expect(v1.translator.dialectsInUse()).toEqual([dialect]);
    },
    120_000, // a deadline, not a timing assertion: 49 s seen for nerdminer at load ~20
  );
});
