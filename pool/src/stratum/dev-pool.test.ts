import { afterEach, describe, expect, it } from 'vitest';
import { difficultyToCompact } from '../ckb/target.js';
import { startDevnet } from '../devnet/index.js';
import { silentLogger } from '../observability/index.js';
import type { MinerMode } from '../miner/sv2-miner.js';
import { startDevPool, type DevPool } from './dev-pool.js';

let pool: DevPool | undefined;
afterEach(async () => {
  await pool?.stop();
  pool = undefined;
});

describe.each<MinerMode>(['sv2-standard', 'sv2-extended'])('pool dev with the %s demo miner', (miner) => {
  it('finds blocks over TCP + Noise that the devnet accepts', async () => {
    pool = await startDevPool({ miner, minerThreads: 1, stratumPort: 0, logger: silentLogger });
    const hashes: string[] = [];
    const found = new Promise<void>((resolve) =>
      pool!.onBlockAccepted((hash) => {
        hashes.push(hash);
        if (hashes.length >= 2) resolve();
      }),
    );
    await found;
    const chain = new Set(pool.devnet!.blocks().map((b) => b.hash));
    for (const h of hashes) expect(chain.has(h)).toBe(true);
    const status = await pool.status();
    expect(status.blocksAccepted).toBeGreaterThanOrEqual(2);
    expect(status.sharesAccepted).toBeGreaterThanOrEqual(2);
    expect(status.miners).toBe(1);
    expect(status.height).toBeGreaterThanOrEqual(2n);
  }, 90_000);
});

describe('pool dev against an external node (--ckb-rpc)', () => {
  it('follows the node over its TCP subscription and counts only main-chain blocks', async () => {
    const node = await startDevnet({ initialCompactTarget: difficultyToCompact(1n << 18n) });
    try {
      pool = await startDevPool({
        ckbRpc: node.url,
        ckbSubscription: node.subscriptionUrl,
        miner: 'sv2-standard',
        minerThreads: 1,
        stratumPort: 0,
        apiPort: 0,
        logger: silentLogger,
      });
      expect(pool.ckbSubscription).toBe(node.subscriptionUrl);
      const hashes: string[] = [];
      await new Promise<void>((resolve) =>
        pool!.onBlockAccepted((hash) => {
          hashes.push(hash);
          if (hashes.length >= 2) resolve();
        }),
      );
      const main = new Set(node.blocks().map((b) => b.hash));
      for (const h of hashes) expect(main.has(h)).toBe(true);
      const status = await pool.status();
      expect(status.blocksAccepted).toBe(hashes.length);
    } finally {
      await pool?.stop();
      pool = undefined;
      await node.stop();
    }
  }, 90_000);
});
