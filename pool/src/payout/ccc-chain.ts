/**
 * The payouts' chain edge on a CKB node: transactions built and signed with @ckb-ccc/core
 * (`Transaction.from`, `completeFeeChangeToLock`, `SignerCkbPrivateKey`), the pool's spendable
 * cells from the node's indexer (`get_cells`: `tx_index` 0 marks a cellbase output, spendable
 * once the cellbase maturity passed: verification/src/transaction_verifier.rs MaturityVerifier),
 * send_transaction / get_transaction / get_live_cell as rpc/README.md documents them.
 */
import { ccc } from '@ckb-ccc/core';
import { cccA } from '@ckb-ccc/core/advanced';
import { epochReached } from '../blocktracker/lifecycle.js';
import { CkbRpcRemoteError } from '../ckb/errors.js';
import { unpackEpoch, type Epoch } from '../ckb/header.js';
import { hexToUint } from '../ckb/hex.js';
import type { CkbRpcClient } from '../ckb-node/rpc.js';
import type { WalletSnapshot } from '../ledger/store.js';
import { decodeAddress, type CkbNetwork } from './address.js';
import { SendRefused, type PayoutChain, type TxStatus } from './machine.js';
import type { PayoutInput, PayoutOutput } from './record.js';

/** RPCError::PoolRejectedDuplicatedTransaction: the node has it already. */
const DUPLICATED = -1107;

interface IndexerCell {
  out_point: { tx_hash: string; index: string };
  output: { capacity: string };
  block_number: string;
  tx_index: string;
}

export interface CccChainOptions {
  rpc: CkbRpcClient;
  network: CkbNetwork;
  /** The pool wallet's private key (0x + 64 hex). */
  privateKey: string;
  feeRate: bigint;
}

/** Chains whose genesis is the public one ccc knows the system cells of (`get_consensus().id`). */
const PUBLIC_CHAINS = new Set(['ckb', 'ckb_testnet']);

export class CccPayoutChain implements PayoutChain {
  readonly client: ccc.Client;
  readonly signer: ccc.SignerCkbPrivateKey;
  private lock: ccc.Script | undefined;
  private maturity: Epoch | undefined;
  /** Known scripts of a testnet-addressed client; a dev chain's cell deps are read from its genesis. */
  private readonly scripts: Record<string, ccc.ScriptInfoLike> = { ...cccA.TESTNET_SCRIPTS };

  constructor(private readonly o: CccChainOptions) {
    // No fallbacks: ccc would otherwise retry a failed request on public mainnet/testnet nodes.
    this.client =
      o.network === 'mainnet'
        ? new ccc.ClientPublicMainnet({ url: o.rpc.url, fallbacks: [] })
        : new ccc.ClientPublicTestnet({ url: o.rpc.url, fallbacks: [], scripts: this.scripts });
    this.signer = new ccc.SignerCkbPrivateKey(this.client, o.privateKey);
  }

  /**
   * Once: the chain spec's cellbase maturity, and on a dev chain (neither mainnet nor testnet) the
   * secp256k1-blake160 dep group where ckb's spec builder puts it: genesis transaction 1, output 0.
   */
  private async chainFacts(): Promise<Epoch> {
    if (this.maturity) return this.maturity;
    const consensus = await this.o.rpc.call<{ id: string; cellbase_maturity: string }>('get_consensus', []);
    if (this.o.network !== 'mainnet' && !PUBLIC_CHAINS.has(consensus.id)) {
      const genesis = await this.o.rpc.call<{ transactions: { hash: string }[] }>('get_block_by_number', [
        '0x0',
      ]);
      const depGroup = genesis.transactions[1]?.hash;
      if (!depGroup) throw new Error(`dev chain ${consensus.id}: genesis has no dep group transaction`);
      this.scripts[ccc.KnownScript.Secp256k1Blake160] = {
        ...cccA.TESTNET_SCRIPTS[ccc.KnownScript.Secp256k1Blake160]!,
        cellDeps: [{ cellDep: { outPoint: { txHash: depGroup, index: 0 }, depType: 'depGroup' } }],
      };
    }
    this.maturity = unpackEpoch(hexToUint(consensus.cellbase_maturity));
    return this.maturity;
  }

  /** The pool wallet's lock (secp256k1-blake160 of the key). */
  async poolLock(): Promise<ccc.Script> {
    this.lock ??= (await this.signer.getRecommendedAddressObj()).script;
    return this.lock;
  }

  async spendableCells(): Promise<PayoutInput[]> {
    return (await this.walletCells()).cells
      .filter((c) => c.mature)
      .map(({ txHash, index, capacity }) => ({ txHash, index, capacity }));
  }

  /** The wallet's address and live capacity, spendable now and not yet (immature cellbase outputs). */
  async walletSummary(): Promise<Omit<WalletSnapshot, 'updatedAt'>> {
    const { cells, tip } = await this.walletCells();
    let spendable = 0n;
    let immature = 0n;
    for (const c of cells) {
      if (c.mature) spendable += c.capacity;
      else immature += c.capacity;
    }
    const address = (await this.signer.getRecommendedAddressObj()).toString();
    return { address, spendable, immature, cells: cells.length, tip };
  }

  /** Every live cell of the wallet lock (indexer `get_cells`), a cellbase output marked mature or not. */
  private async walletCells(): Promise<{ cells: (PayoutInput & { mature: boolean })[]; tip: bigint }> {
    const lock = await this.poolLock();
    const maturity = await this.chainFacts();
    const tip = await this.o.rpc.getTipHeader();
    // The spending transaction lands in the next block at the earliest: judge maturity at the tip.
    const tipEpoch = unpackEpoch(hexToUint(tip.epoch));
    const cells: (PayoutInput & { mature: boolean })[] = [];
    let cursor: string | null = null;
    for (;;) {
      const page: { objects: IndexerCell[]; last_cursor: string } = await this.o.rpc.call('get_cells', [
        {
          script: { code_hash: lock.codeHash, hash_type: lock.hashType, args: lock.args },
          script_type: 'lock',
        },
        'asc',
        '0x64',
        cursor,
      ]);
      for (const c of page.objects) {
        let mature = true;
        if (hexToUint(c.tx_index) === 0n) {
          const header = await this.o.rpc.getHeaderByNumber(hexToUint(c.block_number));
          mature = header !== null && epochReached(tipEpoch, unpackEpoch(hexToUint(header.epoch)), maturity);
        }
        cells.push({
          txHash: c.out_point.tx_hash,
          index: Number(hexToUint(c.out_point.index)),
          capacity: hexToUint(c.output.capacity),
          mature,
        });
      }
      if (page.objects.length < 100) return { cells, tip: hexToUint(tip.number) };
      cursor = page.last_cursor;
    }
  }

  async build(inputs: readonly PayoutInput[], outputs: readonly PayoutOutput[]) {
    await this.chainFacts();
    const tx = ccc.Transaction.from({
      inputs: inputs.map((i) => ({ previousOutput: { txHash: i.txHash, index: i.index } })),
      outputs: await Promise.all(
        outputs.map(async (o) => ({
          capacity: o.amount,
          lock: (await ccc.Address.fromString(o.address, this.client)).script,
        })),
      ),
      outputsData: outputs.map(() => '0x'),
    });
    await tx.addCellDepsOfKnownScripts(this.client, ccc.KnownScript.Secp256k1Blake160);
    // Change to the pool; the inputs are ours already, so the filter never adds immature cells.
    await tx.completeFeeChangeToLock(this.signer, await this.poolLock(), this.o.feeRate, {
      scriptLenRange: [0, 1],
      outputDataLenRange: [0, 1],
    });
    const fee = (await tx.getInputsCapacity(this.client)) - tx.getOutputsCapacity();
    return { txHash: tx.hash(), tx: ccc.stringify(tx), fee };
  }

  async sign(text: string): Promise<string> {
    const tx = ccc.Transaction.from(JSON.parse(text) as ccc.TransactionLike);
    return ccc.stringify(await this.signer.signOnlyTransaction(tx));
  }

  async send(text: string): Promise<void> {
    const tx = ccc.Transaction.from(JSON.parse(text) as ccc.TransactionLike);
    try {
      await this.o.rpc.call('send_transaction', [
        cccA.JsonRpcTransformers.transactionFrom(tx),
        'passthrough',
      ]);
    } catch (err) {
      if (err instanceof CkbRpcRemoteError) {
        if (err.code === DUPLICATED) return;
        throw new SendRefused(err.code, err.rpcMessage);
      }
      throw err;
    }
  }

  async status(txHash: string): Promise<{ status: TxStatus; blockHash?: string; reason?: string }> {
    const r = await this.o.rpc.call<{
      tx_status: { status: TxStatus; block_hash: string | null; reason: string | null };
    } | null>('get_transaction', [txHash]);
    if (!r) return { status: 'unknown' };
    const s = r.tx_status;
    return { status: s.status, blockHash: s.block_hash ?? undefined, reason: s.reason ?? undefined };
  }

  async live(i: PayoutInput): Promise<boolean> {
    const r = await this.o.rpc.call<{ status: string }>('get_live_cell', [
      { tx_hash: i.txHash, index: '0x' + i.index.toString(16) },
      false,
    ]);
    return r.status === 'live';
  }

  lockArgsBytes(address: string): number | undefined {
    const d = decodeAddress(address, this.o.network);
    return 'error' in d ? undefined : d.lockArgsBytes;
  }
}
