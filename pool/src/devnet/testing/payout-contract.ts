/**
 * The part of the node contract the payouts rely on (run inside nodeContract, after its mining
 * tests): get_consensus, the indexer's get_cells / get_cells_capacity over the block assembler's
 * reward cells, get_live_cell, get_transaction, and send_transaction with the node's two-phase
 * commit and its refusals (CellbaseImmaturity, bad signature, occupied capacity, overspend, unknown
 * input, duplicate). Transactions are built and signed with @ckb-ccc/core as the payouts do; the
 * secp256k1-blake160 dep group is genesis transaction 1, output 0, where ckb's spec builder puts it.
 */
import { ccc } from '@ckb-ccc/core';
import { cccA } from '@ckb-ccc/core/advanced';
import { expect, it } from 'vitest';
import { epochReached } from '../../blocktracker/lifecycle.js';
import { CkbRpcRemoteError } from '../../ckb/errors.js';
import { unpackEpoch, type Epoch } from '../../ckb/header.js';
import { hexToUint } from '../../ckb/hex.js';
import type { CkbRpcClient } from '../../ckb-node/rpc.js';
import type { JsonCellOutput, JsonOutPoint, JsonScript } from '../../ckb/types.js';
import type { ContractNode } from './node-contract.js';

interface IndexerCell {
  output: JsonCellOutput;
  output_data?: string;
  out_point: JsonOutPoint;
  block_number: string;
  tx_index: string;
}

interface TxWithStatus {
  transaction: { hash: string } | null;
  tx_status: {
    status: string;
    block_hash: string | null;
    block_number: string | null;
    reason: string | null;
  };
}

const CKB = 100_000_000n;

export function payoutContract(
  ctx: () => { node: ContractNode; rpc: CkbRpcClient },
  mineBlocks: (rpc: CkbRpcClient, count: number) => Promise<string[]>,
): void {
  let client: ccc.ClientPublicTestnet;
  let signer: ccc.SignerCkbPrivateKey;
  let lock: JsonScript;
  let maturity: Epoch;
  let closest: bigint;
  const used = new Set<string>();

  const rpc = () => ctx().rpc;
  const refusal = (p: Promise<unknown>) =>
    p.then(
      () => undefined,
      (e: unknown) => e as CkbRpcRemoteError,
    );
  const rewardCells = async (): Promise<IndexerCell[]> => {
    const cells: IndexerCell[] = [];
    let after: string | null = null;
    for (;;) {
      const page: { objects: IndexerCell[]; last_cursor: string } = await rpc().call('get_cells', [
        { script: lock, script_type: 'lock', filter: { script_len_range: ['0x0', '0x1'] } },
        'asc',
        '0x20',
        after,
      ]);
      cells.push(...page.objects);
      if (page.objects.length < 0x20) return cells;
      after = page.last_cursor;
    }
  };
  /** Cellbase outputs (tx_index 0) of blocks after genesis, not used by an earlier test. */
  const cellbaseCells = async () =>
    (await rewardCells()).filter(
      (c) => c.tx_index === '0x0' && c.block_number !== '0x0' && !used.has(c.out_point.tx_hash),
    );
  const matured = async (c: IndexerCell) => {
    const tip = unpackEpoch(hexToUint((await rpc().getTipHeader()).epoch));
    const header = await rpc().getHeaderByNumber(hexToUint(c.block_number));
    return epochReached(tip, unpackEpoch(hexToUint(header!.epoch)), maturity);
  };
  /**
   * A signed transaction spending `cell`: `pay` to a fresh key's lock, the rest (minus `fee`) back;
   * `wrongKey` signs it with another key.
   */
  const spend = async (cell: IndexerCell, opts: { pay?: bigint; fee?: bigint; wrongKey?: boolean } = {}) => {
    used.add(cell.out_point.tx_hash);
    const capacity = hexToUint(cell.output.capacity);
    const pay = opts.pay ?? 100n * CKB;
    const fee = opts.fee ?? 100_000n;
    const recipient = await new ccc.SignerCkbPrivateKey(
      client,
      ccc.hexFrom(randomKey()),
    ).getRecommendedAddressObj();
    const tx = ccc.Transaction.from({
      inputs: [{ previousOutput: { txHash: cell.out_point.tx_hash, index: cell.out_point.index } }],
      outputs: [
        { capacity: pay, lock: recipient.script },
        { capacity: capacity - pay - fee, lock: (await signer.getRecommendedAddressObj()).script },
      ],
      outputsData: ['0x', '0x'],
    });
    await tx.addCellDepsOfKnownScripts(client, ccc.KnownScript.Secp256k1Blake160);
    const signed = await signer.signTransaction(tx);
    if (opts.wrongKey) {
      // The right message signed by another key: it recovers that key, whose blake160 is not the args.
      const info = await signed.getSignHashInfo((await signer.getRecommendedAddressObj()).script, client);
      const other = new ccc.SignerCkbPrivateKey(client, ccc.hexFrom(randomKey()));
      const witness = signed.getWitnessArgsAt(info!.position)!;
      witness.lock = await other._signMessage(info!.message);
      signed.setWitnessArgsAt(info!.position, witness);
    }
    return {
      tx: signed,
      json: cccA.JsonRpcTransformers.transactionFrom(signed),
      recipient: recipient.script,
    };
  };

  it('payouts: get_consensus names the chain, its cellbase maturity and proposal window', async () => {
    const { node } = ctx();
    const consensus = await rpc().call<{
      id: string;
      genesis_hash: string;
      cellbase_maturity: string;
      tx_proposal_window: { closest: string; farthest: string };
    }>('get_consensus', []);
    expect(consensus.id).toBe('ckb_dev');
    expect(consensus.genesis_hash).toBe((await rpc().getHeaderByNumber(0n))!.hash);
    maturity = unpackEpoch(hexToUint(consensus.cellbase_maturity));
    expect(maturity.number * BigInt(maturity.length || 1) + BigInt(maturity.index)).toBeGreaterThan(0n);
    closest = hexToUint(consensus.tx_proposal_window.closest);
    expect(hexToUint(consensus.tx_proposal_window.farthest)).toBeGreaterThan(closest);

    const genesis = await rpc().call<{ transactions: { hash: string }[] }>('get_block_by_number', ['0x0']);
    const scripts = { ...cccA.TESTNET_SCRIPTS };
    scripts[ccc.KnownScript.Secp256k1Blake160] = {
      ...scripts[ccc.KnownScript.Secp256k1Blake160]!,
      cellDeps: [
        { cellDep: { outPoint: { txHash: genesis.transactions[1]!.hash, index: 0 }, depType: 'depGroup' } },
      ],
    };
    client = new ccc.ClientPublicTestnet({ url: node.url, fallbacks: [], scripts });
    signer = new ccc.SignerCkbPrivateKey(client, node.minerKey);
    const script = (await signer.getRecommendedAddressObj()).script;
    lock = { code_hash: script.codeHash, hash_type: script.hashType, args: script.args };
  });

  it('payouts: the indexer lists the block rewards paid to the block assembler lock, as get_live_cell and get_transaction see them', async () => {
    // Block N's cellbase pays block N - 11: mine until rewards exist.
    const tip = hexToUint((await rpc().getTipHeader()).number);
    if (tip < 14n) await mineBlocks(rpc(), Number(14n - tip));
    const cells = await cellbaseCells();
    expect(cells.length).toBeGreaterThan(0);
    for (const c of cells) {
      expect(c.output.lock).toEqual(lock);
      expect(c.output.type).toBeNull();
      expect(c.output_data).toBe('0x');
      expect(hexToUint(c.block_number)).toBeGreaterThanOrEqual(12n);
      const live = await rpc().call<{ cell: { output: JsonCellOutput } | null; status: string }>(
        'get_live_cell',
        [c.out_point, false],
      );
      expect(live).toEqual({
        cell: { output: c.output, data: null },
        status: 'live',
        block_hash: await rpc().call<string>('get_block_hash', [c.block_number]),
      });
      const tx = await rpc().call<TxWithStatus>('get_transaction', [c.out_point.tx_hash]);
      expect(tx.transaction?.hash).toBe(c.out_point.tx_hash);
      expect(tx.tx_status).toMatchObject({
        status: 'committed',
        block_number: c.block_number,
        block_hash: await rpc().call<string>('get_block_hash', [c.block_number]),
      });
    }
    const all = await rewardCells();
    const capacity = await rpc().call<{ capacity: string; block_number: string }>('get_cells_capacity', [
      { script: lock, script_type: 'lock', filter: { script_len_range: ['0x0', '0x1'] } },
    ]);
    expect(hexToUint(capacity.capacity)).toBe(all.reduce((s, c) => s + hexToUint(c.output.capacity), 0n));
    const unknown = { tx_hash: '0x' + '22'.repeat(32), index: '0x0' };
    expect(await rpc().call('get_live_cell', [unknown, false])).toEqual({
      cell: null,
      status: 'unknown',
      block_hash: null,
    });
    const none = await rpc().call<TxWithStatus>('get_transaction', ['0x' + '22'.repeat(32)]);
    expect(none.transaction).toBeNull();
    expect(none.tx_status.status).toBe('unknown');
  });

  it('payouts: send_transaction refuses an immature cellbase output with CellbaseImmaturity', async () => {
    const cells = await cellbaseCells();
    const newest = cells[cells.length - 1]!;
    expect(await matured(newest), 'the newest reward cell should still be immature').toBe(false);
    const err = await refusal(rpc().call('send_transaction', [(await spend(newest)).json, 'passthrough']));
    expect(err).toBeInstanceOf(CkbRpcRemoteError);
    expect(err).toMatchObject({ code: -302 });
    expect(err!.rpcMessage).toMatch(
      /^TransactionFailedToVerify: Verification failed Transaction\(CellbaseImmaturity\(Inputs\[0\]\)\)/,
    );
  });

  it('payouts: a matured reward pays an address through the two-phase commit; the spent cell is dead', async () => {
    let cell: IndexerCell | undefined;
    for (let i = 0; i < 40 && !cell; i++) {
      const cells = await cellbaseCells();
      cell = (await matured(cells[0]!)) ? cells[0] : undefined;
      if (!cell) await mineBlocks(rpc(), 1);
    }
    expect(cell, 'no reward cell matured within 40 blocks').toBeDefined();
    const { tx, json, recipient } = await spend(cell!, { pay: 1000n * CKB });
    const hash = await rpc().call<string>('send_transaction', [json, 'passthrough']);
    expect(hash).toBe(tx.hash());
    const pending = await rpc().call<TxWithStatus>('get_transaction', [hash]);
    expect(pending.tx_status.status).toMatch(/^(pending|proposed)$/);
    const dup = await refusal(rpc().call('send_transaction', [json, 'passthrough']));
    expect(dup).toMatchObject({ code: -1107 });

    let committed: TxWithStatus | undefined;
    for (let i = 0; i < 2 * Number(closest) + 10 && !committed; i++) {
      await mineBlocks(rpc(), 1);
      const s = await rpc().call<TxWithStatus>('get_transaction', [hash]);
      if (s.tx_status.status === 'committed') committed = s;
    }
    expect(committed, 'the transaction was not committed by the blocks mined from templates').toBeDefined();
    const block = await rpc().call<{ transactions: { hash: string }[] }>('get_block', [
      committed!.tx_status.block_hash,
    ]);
    expect(block.transactions.map((t) => t.hash)).toContain(hash);
    // A spent output is `unknown` to get_live_cell (not `dead`).
    expect(await rpc().call('get_live_cell', [cell!.out_point, false])).toEqual({
      cell: null,
      status: 'unknown',
      block_hash: null,
    });
    const paid: { objects: IndexerCell[] } = await rpc().call('get_cells', [
      {
        script: { code_hash: recipient.codeHash, hash_type: recipient.hashType, args: recipient.args },
        script_type: 'lock',
      },
      'asc',
      '0x10',
      null,
    ]);
    expect(paid.objects.map((c) => [c.out_point, hexToUint(c.output.capacity)])).toEqual([
      [{ tx_hash: hash, index: '0x0' }, 1000n * CKB],
    ]);
  });

  it('payouts: send_transaction refuses a bad signature, an output below its occupied capacity, an overspend and an unknown input', async () => {
    let cells: IndexerCell[] = [];
    for (let i = 0; i < 40; i++) {
      cells = [];
      for (const c of await cellbaseCells()) if (await matured(c)) cells.push(c);
      if (cells.length >= 3) break;
      await mineBlocks(rpc(), 1);
    }
    expect(cells.length, 'three matured reward cells').toBeGreaterThanOrEqual(3);
    const send = async (json: unknown) => refusal(rpc().call('send_transaction', [json, 'passthrough']));

    const badSig = await send((await spend(cells[0]!, { wrongKey: true })).json);
    expect(badSig).toMatchObject({ code: -302 });
    expect(badSig!.rpcMessage).toMatch(/Inputs\[0\]\.Lock.*ValidationFailure: see error code -31 /);

    const small = await send((await spend(cells[1]!, { pay: 60n * CKB })).json);
    expect(small).toMatchObject({ code: -302 });
    expect(small!.rpcMessage).toMatch(
      /Transaction\(InsufficientCellCapacity\(Outputs\[0\]\): expected occupied capacity \(0x16b969d00\) <= capacity \(0x165a0bc00\)\)/,
    );

    const over = (await spend(cells[2]!)).json;
    over.outputs[1]!.capacity = ccc.numToHex(hexToUint(over.outputs[1]!.capacity) + 10n * CKB);
    expect(await send(over)).toMatchObject({
      code: -1108,
      rpcMessage: 'PoolRejectedMalformedTransaction: Malformed Overflow transaction',
    });

    const unknown = { ...(await spend(cells[2]!)).json };
    unknown.inputs = [
      { previous_output: { tx_hash: ccc.hexFrom('0x' + '33'.repeat(32)), index: '0x0' }, since: '0x0' },
    ];
    const err = await send(unknown);
    expect(err).toMatchObject({ code: -301 });
    expect(err!.rpcMessage).toMatch(
      /^TransactionFailedToResolve: Resolve failed Unknown\(OutPoint\(0x3{64}00000000\)\)/,
    );
  });
}

function randomKey(): Uint8Array {
  return crypto.getRandomValues(new Uint8Array(32));
}
