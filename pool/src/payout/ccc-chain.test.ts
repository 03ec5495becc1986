// The payout chain adapter (ccc) and the payout state machine against the embedded devnet, which
// verifies what the node verifies (signature, capacity, fee, cellbase maturity) and commits through
// the two-phase commit: block rewards mature, a payout is built, signed, sent and committed, and
// what each miner received on chain equals the ledger to the shannon.
import { ccc } from '@ckb-ccc/core';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hexToUint } from '../ckb/hex.js';
import { CkbRpcClient } from '../ckb-node/rpc.js';
import { SECP256K1_BLAKE160_CODE_HASH, startDevnet, type Devnet } from '../devnet/index.js';
import { mineBlocks } from '../devnet/testing/mine.js';
import { userBalance } from '../ledger/ledger.js';
import { MemoryLedgerStore } from '../ledger/memory-store.js';
import { silentLogger } from '../observability/logger.js';
import { CccPayoutChain } from './ccc-chain.js';
import { seedOwed } from './testing/seed.js';
import { PayoutMachine } from './machine.js';

const CKB = 100_000_000n;
const key = () => ccc.hexFrom(crypto.getRandomValues(new Uint8Array(32)));

async function addressOf(privateKey: string): Promise<string> {
  const client = new ccc.ClientPublicTestnet({ url: 'http://127.0.0.1:9', fallbacks: [] });
  return new ccc.SignerCkbPrivateKey(client, privateKey).getRecommendedAddress();
}

describe('payouts on the devnet (ccc adapter + payout machine)', () => {
  let devnet: Devnet;
  let rpc: CkbRpcClient;
  let chain: CccPayoutChain;
  const poolKey = key();

  beforeAll(async () => {
    const probe = new CccPayoutChain({
      rpc: new CkbRpcClient({ url: 'http://127.0.0.1:9', registry: new Registry() }),
      network: 'testnet',
      privateKey: poolKey,
      feeRate: 1000n,
    });
    const lock = await probe.poolLock();
    devnet = await startDevnet({
      initialCompactTarget: 0x20010000,
      blockTimeMs: 1000,
      lock: { code_hash: SECP256K1_BLAKE160_CODE_HASH, hash_type: 'type', args: lock.args },
      // Half an epoch of 10 blocks.
      cellbaseMaturity: { number: 0n, index: 5, length: 10 },
    });
    rpc = new CkbRpcClient({ url: devnet.url, registry: new Registry() });
    chain = new CccPayoutChain({ rpc, network: 'testnet', privateKey: poolKey, feeRate: 1000n });
  });
  afterAll(async () => {
    rpc?.close();
    await devnet?.stop();
  });

  it('spends only matured rewards, and the committed payout pays each miner what the ledger says', async () => {
    // Rewards start at block 12 (block 1's); none is mature before block 12 + 5.
    await mineBlocks(rpc, 13);
    expect(await chain.spendableCells()).toEqual([]);
    const immature = devnet.chain.blockByNumber(13n)!.view.transactions[0]!;
    expect(immature.outputs[0]!.lock.args).toBe((await chain.poolLock()).args);

    // Tip 18 (epoch 1, 8/10): the rewards of blocks 12 (1 + 2/10) and 13 are mature, 14's is not.
    await mineBlocks(rpc, 5);
    const spendable = await chain.spendableCells();
    expect(spendable.map((c) => c.txHash)).toEqual([
      devnet.chain.blockByNumber(12n)!.view.transactions[0]!.hash,
      devnet.chain.blockByNumber(13n)!.view.transactions[0]!.hash,
    ]);

    const ledger = new MemoryLedgerStore();
    const miners = [await addressOf(key()), await addressOf(key())];
    const owed = [250_000n * CKB + 12_345n, 70n * CKB];
    await seedOwed(ledger, { [miners[0]!]: owed[0]!, [miners[1]!]: owed[1]! });
    const machine = new PayoutMachine({
      ledger,
      chain,
      threshold: 65n * CKB,
      maxOutputs: 10,
      feeUser: 'fee',
      feeReserve: CKB,
      logger: silentLogger,
    });
    expect(await machine.step()).toBe('built');
    expect(await machine.step()).toBe('signed');
    expect(
      await machine.step(),
      JSON.stringify((await ledger.payouts())[0]?.attempts.map((a) => a.reason)),
    ).toBe('broadcast');
    let state = 'broadcast';
    for (let i = 0; i < 15 && state !== 'committed'; i++) {
      await mineBlocks(rpc, 1);
      state = await machine.step();
    }
    expect(state, 'the payout was not committed within 15 blocks').toBe('committed');

    const [payout] = await ledger.payouts();
    const committed = devnet.chain.cells.transaction(payout!.txHash!)!;
    expect(committed.blockHash).toBe(payout!.blockHash);
    const balances = await ledger.balances();
    for (const [i, miner] of miners.entries()) {
      const lock = (await ccc.Address.fromString(miner, chain.client)).script;
      const received = hexToUint(
        (
          await rpc.call<{ capacity: string }>('get_cells_capacity', [
            {
              script: { code_hash: lock.codeHash, hash_type: lock.hashType, args: lock.args },
              script_type: 'lock',
            },
          ])
        ).capacity,
      );
      expect(received).toBe(owed[i]);
      expect(userBalance(miner, balances)).toMatchObject({ available: 0n, paid: owed[i] });
    }
    // The fee the ledger booked is what the chain kept: inputs minus outputs.
    const inputs = committed.tx.inputs.map((x) => devnet.chain.cells.cell(x.previous_output)!);
    const fee =
      inputs.reduce((s, c) => s + hexToUint(c.output.capacity), 0n) -
      committed.tx.outputs.reduce((s, o) => s + hexToUint(o.capacity), 0n);
    expect(fee).toBe(payout!.attempts.at(-1)!.fee);
    expect(fee).toBeGreaterThan(0n);
    expect([...balances.values()].reduce((s, v) => s + v, 0n)).toBe(0n);
    // The spent rewards are dead; the change went back to the pool's lock.
    for (const i of payout!.inputs) expect(await chain.live(i)).toBe(false);
    expect(committed.tx.outputs.at(-1)!.lock.args).toBe((await chain.poolLock()).args);
  });
});
