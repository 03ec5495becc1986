// `pool payouts` as composed for production (startPayouts: key file, lease, ccc chain edge built from
// the config) against the embedded devnet: once the pool wallet's rewards mature, its turns pay the
// owed miner on chain, the transaction committed through the devnet's two-phase commit.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { ccc } from '@ckb-ccc/core';
import { Registry } from 'prom-client';
import { afterAll, describe, expect, it } from 'vitest';
import { MemoryBus } from '../bus/memory.js';
import { poolTopicSpecs, poolTopics } from '../bus/topics.js';
import { hexToUint } from '../ckb/hex.js';
import { CkbRpcClient } from '../ckb-node/rpc.js';
import { loadConfig } from '../config/load.js';
import { SECP256K1_BLAKE160_CODE_HASH, startDevnet } from '../devnet/index.js';
import { mineBlocks } from '../devnet/testing/mine.js';
import { userBalance } from '../ledger/ledger.js';
import { MemoryLedgerStore } from '../ledger/memory-store.js';
import { silentLogger } from '../observability/logger.js';
import { MemoryStore } from '../store/memory.js';
import { startPayouts } from './service.js';
import { seedOwed } from './testing/seed.js';

const CKB = 100_000_000n;
const cleanups: (() => Promise<void>)[] = [];
afterAll(async () => {
  for (const c of cleanups.reverse()) await c();
});

describe('pool payouts on the devnet', () => {
  it('pays the owed miner from matured rewards once they mature, committed on chain', async () => {
    const poolKey = ccc.hexFrom(crypto.getRandomValues(new Uint8Array(32)));
    const offline = new ccc.ClientPublicTestnet({ url: 'http://127.0.0.1:9', fallbacks: [] });
    const poolLock = (await new ccc.SignerCkbPrivateKey(offline, poolKey).getRecommendedAddressObj()).script;
    const miner = await new ccc.SignerCkbPrivateKey(
      offline,
      ccc.hexFrom(crypto.getRandomValues(new Uint8Array(32))),
    ).getRecommendedAddressObj();
    const devnet = await startDevnet({
      initialCompactTarget: 0x20010000,
      blockTimeMs: 1000,
      lock: { code_hash: SECP256K1_BLAKE160_CODE_HASH, hash_type: 'type', args: poolLock.args },
      cellbaseMaturity: { number: 0n, index: 5, length: 10 },
    });
    cleanups.push(() => devnet.stop());
    const rpc = new CkbRpcClient({ url: devnet.url, registry: new Registry() });
    cleanups.push(async () => rpc.close());
    const keyFile = join(mkdtempSync(join(tmpdir(), 'eaglepool-payouts-')), 'key');
    writeFileSync(keyFile, poolKey + '\n');
    const config = loadConfig({
      file: null,
      env: {},
      base: {
        ckb: { rpcUrl: devnet.url },
        payouts: {
          keyFile,
          network: 'testnet',
          thresholdShannons: 100 * 1e8,
          intervalMs: 600_000,
          healthPort: 0,
        },
      },
    });
    const bus = new MemoryBus({ retryMs: 10 });
    await bus.ensureTopics(poolTopicSpecs(poolTopics(config.kafka.topicPrefix), 1));
    const store = new MemoryStore();
    const ledger = new MemoryLedgerStore();
    const owed = 12_345n * CKB + 678n;
    const address = miner.toString();
    await seedOwed(ledger, { [address]: owed });
    const payouts = await startPayouts(config, {
      bus,
      store,
      ledger,
      rpc,
      logger: silentLogger,
      healthServer: false,
    });
    cleanups.push(async () => (await payouts.stop(), await bus.close(), await store.close()));
    for (const until = Date.now() + 20_000; !payouts.leader(); await delay(20))
      if (Date.now() > until) throw new Error('the payouts service did not take its lease within 20 s');

    // Before any reward matured: a turn pays nothing.
    await mineBlocks(rpc, 13);
    await payouts.turn();
    expect(await ledger.payouts()).toEqual([]);

    let committed = false;
    for (let i = 0; i < 30 && !committed; i++) {
      await mineBlocks(rpc, 1);
      await payouts.turn();
      committed = (await ledger.payouts()).some((p) => p.state === 'committed');
    }
    expect(committed, 'no payout committed within 30 blocks').toBe(true);
    const lock = miner.script;
    const received = await rpc.call<{ capacity: string }>('get_cells_capacity', [
      {
        script: { code_hash: lock.codeHash, hash_type: lock.hashType, args: lock.args },
        script_type: 'lock',
      },
    ]);
    expect(hexToUint(received.capacity)).toBe(owed);
    expect(userBalance(address, await ledger.balances())).toMatchObject({ available: 0n, paid: owed });
  });
});
