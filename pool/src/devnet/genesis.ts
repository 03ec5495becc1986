/**
 * The devnet's genesis transactions, laid out as a ckb chain spec builds them
 * (ckb-chain-spec `build_genesis`: `build_cellbase_transaction`, `build_dep_group_transaction`), so
 * the out points a wallet uses are where they are on a real dev chain:
 *   - tx 0 (cellbase, input `new_cellbase_input(0)`): output 0 the genesis cell, 1 secp256k1_blake160
 *     sighash-all, 2 dao, 3 secp256k1_data, 4 secp256k1_blake160 multisig (1, 2, 4 with a type-id
 *     type script, so their type hashes are the well-known code hashes: output 1's is 0x9bd7e06f…),
 *     5 the special cell that pays for the dep groups;
 *   - tx 1: spends output 5; output 0 the secp256k1_blake160_sighash_all dep group
 *     (OutPointVec [tx0:3, tx0:1]), output 1 the multisig dep group ([tx0:3, tx0:4]).
 * Simplification: the cells' data are short stand-ins, not the RISC-V binaries (the devnet checks the
 * sighash-all lock natively, tx-verify.ts), and nothing is issued to any account.
 */
import { ccc } from '@ckb-ccc/core';
import { txHashes } from '../ckb/block.js';
import { bytesToHex, uintToHex } from '../ckb/hex.js';
import type { JsonCellOutput, JsonScript, JsonTransaction } from '../ckb/types.js';
import { occupied } from './tx-verify.js';

const TYPE_ID_CODE_HASH = '0x00000000000000000000000000000000000000000000000000545950455f4944';
/** dev.toml `[genesis.system_cells_lock]`: an always-failing lock, the system cells can never be spent. */
const SYSTEM_LOCK: JsonScript = { code_hash: '0x' + '00'.repeat(32), hash_type: 'data', args: '0x' };
const CELLBASE_INPUT = ccc.CellInput.from({
  previousOutput: { txHash: '0x' + '00'.repeat(32), index: 0xffffffff },
  since: 0,
});
const OutPointVec = ccc.mol.vector(ccc.OutPoint);

/** The type-id script a system cell at genesis output `index` gets (`SystemCell::build_output`). */
function typeId(index: number): JsonScript {
  return {
    code_hash: TYPE_ID_CODE_HASH,
    hash_type: 'type',
    args: ccc.hashCkb(CELLBASE_INPUT.toBytes(), ccc.numLeToBytes(index, 8)),
  };
}

function exact(lock: JsonScript, type: JsonScript | null, data: string): JsonCellOutput {
  const output = { capacity: '0x0', lock, type };
  return { ...output, capacity: uintToHex(occupied(output, data)) };
}

const standIn = (name: string) => bytesToHex(new TextEncoder().encode(`eaglepool devnet stand-in: ${name}`));

export function genesisTransactions(message: string): [JsonTransaction, JsonTransaction] {
  const cells: [JsonScript | null, string][] = [
    [null, bytesToHex(new TextEncoder().encode(message))],
    [typeId(1), standIn('secp256k1_blake160_sighash_all')],
    [typeId(2), standIn('dao')],
    [null, standIn('secp256k1_data')],
    [typeId(4), standIn('secp256k1_blake160_multisig_all')],
  ];
  const groups = [
    [3, 1],
    [3, 4],
  ];
  const special: JsonScript = {
    code_hash: '0x' + '00'.repeat(32),
    hash_type: 'data',
    args: '0x' + '00'.repeat(20),
  };
  const groupData = (txHash: string) =>
    groups.map((g) => bytesToHex(OutPointVec.encode(g.map((index) => ({ txHash, index })))));
  const specialCapacity = groupData('0x' + '00'.repeat(32))
    .map((data) => occupied({ capacity: '0x0', lock: SYSTEM_LOCK, type: null }, data))
    .reduce((a, b) => a + b, 0n);
  const tx0: JsonTransaction = {
    version: '0x0',
    cell_deps: [],
    header_deps: [],
    inputs: [{ previous_output: { tx_hash: '0x' + '00'.repeat(32), index: '0xffffffff' }, since: '0x0' }],
    outputs: [
      ...cells.map(([type, data]) => exact(SYSTEM_LOCK, type, data)),
      { capacity: uintToHex(specialCapacity), lock: special, type: null },
    ],
    outputs_data: [...cells.map(([, data]) => data), '0x'],
    witnesses: ['0x'],
  };
  const tx0Hash = bytesToHex(txHashes(tx0).txHash);
  const data = groupData(tx0Hash);
  const tx1: JsonTransaction = {
    version: '0x0',
    cell_deps: [
      { out_point: { tx_hash: tx0Hash, index: '0x3' }, dep_type: 'code' },
      { out_point: { tx_hash: tx0Hash, index: '0x1' }, dep_type: 'code' },
    ],
    header_deps: [],
    inputs: [{ previous_output: { tx_hash: tx0Hash, index: '0x5' }, since: '0x0' }],
    outputs: data.map((d) => exact(SYSTEM_LOCK, null, d)),
    outputs_data: data,
    witnesses: ['0x'],
  };
  return [tx0, tx1];
}
