import { ccc } from '@ckb-ccc/core';
import { afterEach, describe, expect, it } from 'vitest';
import { hexToUint } from '../ckb/hex.js';
import { CkbRpcClient } from '../ckb-node/rpc.js';
import { userBalance } from '../ledger/ledger.js';
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

describe('pool dev money path (embedded devnet, payouts on)', () => {
  it('found blocks mature, are credited and paid: the miner receives on chain what the ledger says', async () => {
    pool = await startDevPool({
      miner: 'sv2-standard',
      minerThreads: 1,
      stratumPort: 0,
      blockTimeMs: 1000,
      logger: silentLogger,
    });
    const p = pool;
    const miner = p.minerUser.slice(0, p.minerUser.indexOf('.'));
    const committed = await until('a payout transaction committed on the devnet', async () =>
      (await p.ledger.payouts()).find((x) => x.state === 'committed'),
    );
    expect(committed.outputs.map((o) => o.user)).toContain(miner);
    const rpc = new CkbRpcClient({ url: p.devnet!.url });
    try {
      const tx = await rpc.call<{ tx_status: { status: string; block_hash: string } }>('get_transaction', [
        committed.txHash,
      ]);
      expect(tx.tx_status).toMatchObject({ status: 'committed', block_hash: committed.blockHash });
      const lock = (
        await ccc.Address.fromString(
          miner,
          new ccc.ClientPublicTestnet({ url: p.devnet!.url, fallbacks: [] }),
        )
      ).script;
      const onChain = async () =>
        hexToUint(
          (
            await rpc.call<{ capacity: string }>('get_cells_capacity', [
              {
                script: { code_hash: lock.codeHash, hash_type: lock.hashType, args: lock.args },
                script_type: 'lock',
              },
            ])
          ).capacity,
        );
      // Another payout may commit meanwhile: compare once the ledger reads the same on both sides of the chain read.
      await until('the miner paid on chain exactly its ledger paid balance', async () => {
        const before = userBalance(miner, await p.ledger.balances()).paid;
        const capacity = await onChain();
        const after = userBalance(miner, await p.ledger.balances()).paid;
        return before === after && capacity === before && before > 0n;
      });
      const balances = await p.ledger.balances();
      expect([...balances.values()].reduce((a, b) => a + b, 0n)).toBe(0n);
      const wallet = await until('the wallet snapshot', () => p.ledger.wallet());
      expect(wallet.address).toBe(p.wallet!.address);
      expect(wallet.spendable + wallet.immature).toBeGreaterThan(0n);
    } finally {
      rpc.close();
    }
  }, 400_000);
});

async function until<T>(
  what: string,
  probe: () => Promise<T | undefined | false>,
  timeoutMs = 300_000,
): Promise<T> {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    const v = await probe();
    if (v) return v;
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`timed out waiting for ${what}`);
}
