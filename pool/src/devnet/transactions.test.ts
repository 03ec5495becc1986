// The devnet's two-phase commit and fee rewards beyond the node contract: a block committing a
// transaction no block proposed is refused, and a committed transaction's fee is paid 60 % to the
// committing block and 40 % to the proposing one, in their cellbases 11 blocks later and in
// get_block_economic_state (RewardCalculator).
import { ccc } from '@ckb-ccc/core';
import { cccA } from '@ckb-ccc/core/advanced';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { unpackEpoch } from '../ckb/header.js';
import { hexToUint } from '../ckb/hex.js';
import { CkbRpcClient } from '../ckb-node/rpc.js';
import { blockFromWork, workFromTemplate } from '../ckb/work.js';
import { blockShare, PRIMARY_EPOCH_REWARD } from './rewards.js';
import { SECP256K1_BLAKE160_CODE_HASH, startDevnet, type Devnet } from './index.js';
import { mine, mineBlocks } from './testing/mine.js';

const KEY = '0xd00c06bfd800d27397002dca6fb0993d5ba6399b4238b2f29ee9deb97593d2bc';
const CKB = 100_000_000n;

describe('devnet transactions: two-phase commit and fee rewards', () => {
  let devnet: Devnet;
  let rpc: CkbRpcClient;
  let client: ccc.ClientPublicTestnet;
  let signer: ccc.SignerCkbPrivateKey;

  beforeAll(async () => {
    devnet = await startDevnet({
      initialCompactTarget: 0x20010000,
      blockTimeMs: 1000,
      lock: {
        code_hash: SECP256K1_BLAKE160_CODE_HASH,
        hash_type: 'type',
        args: '0xc8328aabcd9b9e8e64fbc566c4385c3bdeb219d7',
      },
      cellbaseMaturity: { number: 0n, index: 1, length: 10 },
    });
    rpc = new CkbRpcClient({ url: devnet.url, registry: new Registry() });
    const scripts = { ...cccA.TESTNET_SCRIPTS };
    scripts[ccc.KnownScript.Secp256k1Blake160] = {
      ...scripts[ccc.KnownScript.Secp256k1Blake160]!,
      cellDeps: [
        {
          cellDep: {
            outPoint: { txHash: devnet.chain.blockByNumber(0n)!.view.transactions[1]!.hash, index: 0 },
            depType: 'depGroup',
          },
        },
      ],
    };
    client = new ccc.ClientPublicTestnet({ url: devnet.url, fallbacks: [], scripts });
    signer = new ccc.SignerCkbPrivateKey(client, KEY);
    await mineBlocks(rpc, 14); // block 12's reward is mature at block 13
  });
  afterAll(async () => {
    rpc?.close();
    await devnet?.stop();
  });

  /** A payment from block `n`'s reward with the given fee, signed. */
  const payment = async (n: bigint, fee: bigint) => {
    const cellbase = devnet.chain.blockByNumber(n)!.view.transactions[0]!;
    const capacity = hexToUint(cellbase.outputs[0]!.capacity);
    const own = (await signer.getRecommendedAddressObj()).script;
    const tx = ccc.Transaction.from({
      inputs: [{ previousOutput: { txHash: cellbase.hash, index: 0 } }],
      outputs: [
        { capacity: 100n * CKB, lock: own },
        { capacity: capacity - 100n * CKB - fee, lock: own },
      ],
      outputsData: ['0x', '0x'],
    });
    return signer.signTransaction(tx);
  };

  it('refuses a block committing a transaction that no block proposed', async () => {
    const tx = await payment(12n, 1_000_000n);
    const t = await rpc.getBlockTemplate();
    const forged = {
      ...t,
      transactions: [
        {
          hash: tx.hash(),
          required: false,
          cycles: null,
          data: cccA.JsonRpcTransformers.transactionFrom(tx),
        },
      ],
    };
    const work = workFromTemplate(forged as typeof t);
    const err = await rpc.submitBlock(work.workId, blockFromWork(work, mine(work))).catch((e: Error) => e);
    expect((err as Error).message).toMatch(/Invalid: Block\(Commit\(Invalid\)\)/);
  });

  it('pays 60 % of the fee to the committing block and 40 % to the proposing one, 11 blocks later', async () => {
    const fee = 1_000_000n;
    const tx = await payment(13n, fee);
    await rpc.call('send_transaction', [cccA.JsonRpcTransformers.transactionFrom(tx), 'passthrough']);
    let committedIn: bigint | undefined;
    for (let i = 0; i < 12 && committedIn === undefined; i++) {
      await mineBlocks(rpc, 1);
      const s = await rpc.call<{ tx_status: { status: string; block_number: string | null } }>(
        'get_transaction',
        [tx.hash()],
      );
      if (s.tx_status.status === 'committed') committedIn = hexToUint(s.tx_status.block_number!);
    }
    expect(committedIn, 'not committed within 12 blocks').toBeDefined();
    const shortId = tx.hash().slice(0, 22);
    const proposer = devnet.chain.blocks().find((b) => b.view.proposals.includes(shortId))!;
    expect(committedIn! - proposer.number).toBeGreaterThanOrEqual(2n);
    await mineBlocks(rpc, Number(committedIn! + 11n - devnet.chain.tip.number));

    const paid = (n: bigint) =>
      hexToUint(devnet.chain.blockByNumber(n + 11n)!.view.transactions[0]!.outputs[0]!.capacity);
    const primary = (n: bigint) => {
      const { index, length } = unpackEpoch(devnet.chain.blockByNumber(n)!.header.epoch);
      return blockShare(PRIMARY_EPOCH_REWARD, index, length);
    };
    expect(paid(committedIn!)).toBe(primary(committedIn!) + fee - (fee * 4n) / 10n);
    expect(paid(proposer.number)).toBe(primary(proposer.number) + (fee * 4n) / 10n);
    const state = await rpc.call<{ miner_reward: { committed: string; proposal: string }; txs_fee: string }>(
      'get_block_economic_state',
      [devnet.chain.blockByNumber(committedIn!)!.hash],
    );
    expect(state).toMatchObject({
      miner_reward: { committed: '0x' + (fee - (fee * 4n) / 10n).toString(16), proposal: '0x0' },
      txs_fee: '0x' + fee.toString(16),
    });
  });
});
