/**
 * Transaction verification as the node's tx-pool and block verifier do it (pure), in their order:
 * non-contextual checks (version, empty, outputs data, duplicate deps, cellbase-like), resolution of
 * inputs and cell deps (dep groups expanded), fee (outputs ≤ inputs, the min fee rate), cellbase
 * maturity (MaturityVerifier), occupied capacity (CapacityVerifier), then the lock scripts. Errors
 * carry the node's codes and messages (`rpc/src/error.rs`, `ckb-types core/error.rs`,
 * `ckb-script error.rs`). Scripts: only secp256k1-blake160 sighash-all runs (natively, sighash.ts);
 * any other lock or any type script is refused (docs/ckb.md, "Devnet simplifications").
 */
import { ccc } from '@ckb-ccc/core';
import { epochReached } from '../blocktracker/lifecycle.js';
import type { Epoch } from '../ckb/header.js';
import { hexToBytes, hexToUint } from '../ckb/hex.js';
import { encodeTransaction } from '../ckb/molecule.js';
import type { JsonCellOutput, JsonOutPoint, JsonScript, JsonTransaction } from '../ckb/types.js';
import type { CellEntry } from './cells.js';
import { rejected } from './errors.js';
import { verifySighashAll } from './sighash.js';

/** The secp256k1-blake160 sighash-all code hash (type id of genesis output 1, as on every chain). */
export const SECP256K1_CODE_HASH = '0x9bd7e06f3ecf4be0f2fcd2188b23f1b9fcc88e5d4b65a8637b17723bbda3cce8';
/** `tx_pool.min_fee_rate` default (shannons per 1000 bytes). */
export const MIN_FEE_RATE = 1000n;
const SHANNONS_PER_BYTE = 100_000_000n;
const CELLBASE_TX_HASH = '0x' + '00'.repeat(32);
const OutPointVec = ccc.mol.vector(ccc.OutPoint);

export interface VerifyContext {
  /** The committed cell at an out point (live or spent), undefined if the chain never had it. */
  cell(o: JsonOutPoint): CellEntry | undefined;
  /** The pool transaction already spending this out point, if any. */
  spentInPool?(o: JsonOutPoint): string | undefined;
  /** Epoch the maturity is judged at: the tip's for send_transaction, the block's for a commit. */
  epoch: Epoch;
  cellbaseMaturity: Epoch;
  /** Enforce the min fee rate (the tx-pool does; block verification does not). */
  minFeeRate: boolean;
}

export interface Verified {
  fee: bigint;
  /** Occupied capacity created minus consumed (the DAO field's U). */
  occupiedDelta: bigint;
}

const verifyFailed = (detail: string) =>
  rejected('TransactionFailedToVerify', `Verification failed Transaction(${detail})`);
const scriptFailed = (source: string, cause: string) =>
  rejected(
    'TransactionFailedToVerify',
    `Verification failed Script(TransactionScriptError { source: ${source}, cause: ${cause} })`,
  );

/** OutPoint's debug text in the node's messages: `OutPoint(0x<tx_hash><index u32 LE>)`. */
function outPointDebug(o: JsonOutPoint): string {
  const index = Buffer.alloc(4);
  index.writeUInt32LE(Number(hexToUint(o.index, 32)));
  return `OutPoint(${o.tx_hash.toLowerCase()}${index.toString('hex')})`;
}

/** Occupied capacity of an output with its data, in shannons (`CellOutput::occupied_capacity`). */
export function occupied(output: JsonCellOutput, data: string): bigint {
  const script = (s: JsonScript | null) => (s ? 33 + (s.args.length - 2) / 2 : 0);
  return BigInt(8 + script(output.lock) + script(output.type) + (data.length - 2) / 2) * SHANNONS_PER_BYTE;
}

/** A cell of ours as a ccc Script for hashing. */
function scriptHash(s: JsonScript): string {
  return ccc.Script.from({ codeHash: s.code_hash, hashType: s.hash_type, args: s.args }).hash();
}

export function verifyTransaction(tx: JsonTransaction, txHash: string, ctx: VerifyContext): Verified {
  // Non-contextual (NonContextualTransactionVerifier, then the tx-pool's cellbase check).
  const version = Number(hexToUint(tx.version, 32));
  if (version !== 0) throw verifyFailed(`MismatchedVersion: expected 0, got ${version}`);
  if (tx.inputs.length === 0) throw verifyFailed('Empty(Inputs)');
  if (tx.outputs.length === 0) throw verifyFailed('Empty(Outputs)');
  if (tx.outputs.length !== tx.outputs_data.length) {
    throw verifyFailed(
      `OutputsDataLengthMismatch: expected outputs data length (${tx.outputs_data.length}) = outputs length (${tx.outputs.length})`,
    );
  }
  const deps = new Set<string>();
  for (const d of tx.cell_deps) {
    const key = outPointDebug(d.out_point);
    if (deps.has(key)) throw verifyFailed(`DuplicateCellDeps(${key})`);
    deps.add(key);
  }
  if (tx.inputs.length === 1 && tx.inputs[0]!.previous_output.tx_hash === CELLBASE_TX_HASH)
    throw rejected('PoolRejectedMalformedTransaction', 'Malformed cellbase like transaction');

  // Resolution: inputs live, then cell deps (a dep group's data is an OutPointVec).
  const resolve = (o: JsonOutPoint): CellEntry => {
    const c = ctx.cell(o);
    if (!c) throw rejected('TransactionFailedToResolve', `Resolve failed Unknown(${outPointDebug(o)})`);
    if (c.spentBy) throw rejected('TransactionFailedToResolve', `Resolve failed Dead(${outPointDebug(o)})`);
    return c;
  };
  const seen = new Set<string>();
  const inputs = tx.inputs.map((i) => {
    const key = outPointDebug(i.previous_output);
    if (seen.has(key)) throw rejected('TransactionFailedToResolve', `Resolve failed Dead(${key})`);
    seen.add(key);
    const c = resolve(i.previous_output);
    const other = ctx.spentInPool?.(i.previous_output);
    if (other) {
      throw rejected(
        'PoolRejectedRBF',
        `RBF rejected: input ${key} is spent by pool transaction ${other} (the devnet replaces no transaction)`,
      );
    }
    return c;
  });
  const depCells: CellEntry[] = [];
  for (const d of tx.cell_deps) {
    const c = resolve(d.out_point);
    if (d.dep_type === 'dep_group') {
      let points: ccc.OutPoint[];
      try {
        points = OutPointVec.decode(c.data);
      } catch {
        throw rejected(
          'TransactionFailedToResolve',
          `Resolve failed InvalidDepGroup(${outPointDebug(d.out_point)})`,
        );
      }
      for (const p of points)
        depCells.push(resolve({ tx_hash: p.txHash, index: '0x' + p.index.toString(16) }));
    } else depCells.push(c);
  }

  // Fee (check_tx_fee): outputs ≤ inputs, and at least the min fee rate on the size in a block.
  const inSum = inputs.reduce((s, c) => s + hexToUint(c.output.capacity), 0n);
  const outSum = tx.outputs.reduce((s, o) => s + hexToUint(o.capacity), 0n);
  if (outSum > inSum) throw rejected('PoolRejectedMalformedTransaction', 'Malformed Overflow transaction');
  const fee = inSum - outSum;
  if (ctx.minFeeRate) {
    const size = BigInt(encodeTransaction(tx).full.length + 4);
    const minFee = (MIN_FEE_RATE * size) / 1000n;
    if (fee < minFee) {
      throw rejected(
        'PoolRejectedTransactionByMinFeeRate',
        `The min fee rate is ${MIN_FEE_RATE} shannons/KW, requiring a transaction fee of at least ${minFee} shannons, but the fee provided is only ${fee}`,
      );
    }
  }

  // Cellbase maturity: a cellbase output (not genesis's) is spendable from its block's epoch + maturity.
  const immature = (c: CellEntry) =>
    c.blockNumber > 0n && c.txIndex === 0 && !epochReached(ctx.epoch, c.epoch, ctx.cellbaseMaturity);
  const immatureInput = inputs.findIndex(immature);
  if (immatureInput >= 0) throw verifyFailed(`CellbaseImmaturity(Inputs[${immatureInput}])`);
  const immatureDep = depCells.findIndex(immature);
  if (immatureDep >= 0) throw verifyFailed(`CellbaseImmaturity(CellDeps[${immatureDep}])`);

  // Occupied capacity.
  let occupiedDelta = 0n;
  tx.outputs.forEach((o, i) => {
    const need = occupied(o, tx.outputs_data[i]!);
    const have = hexToUint(o.capacity);
    if (need > have) {
      throw verifyFailed(
        `InsufficientCellCapacity(Outputs[${i}]): expected occupied capacity (0x${need.toString(16)}) <= capacity (0x${have.toString(16)})`,
      );
    }
    occupiedDelta += need;
  });
  for (const c of inputs) occupiedDelta -= occupied(c.output, c.data);

  // Scripts: lock groups in order of first input; type scripts are beyond the devnet.
  const typed = inputs.findIndex((c) => c.output.type !== null);
  if (typed >= 0) throw scriptFailed(`Inputs[${typed}].Type`, 'the devnet runs no type scripts');
  const typedOut = tx.outputs.findIndex((o) => o.type !== null);
  if (typedOut >= 0) throw scriptFailed(`Outputs[${typedOut}].Type`, 'the devnet runs no type scripts');
  const groups = new Map<string, { lock: JsonScript; indices: number[] }>();
  inputs.forEach((c, i) => {
    const h = scriptHash(c.output.lock);
    const g = groups.get(h) ?? { lock: c.output.lock, indices: [] };
    g.indices.push(i);
    groups.set(h, g);
  });
  for (const { lock, indices } of groups.values()) {
    const source = `Inputs[${indices[0]}].Lock`;
    const code = depCells.find((c) =>
      lock.hash_type === 'type'
        ? c.output.type !== null && scriptHash(c.output.type) === lock.code_hash.toLowerCase()
        : dataHashOf(c.data) === lock.code_hash.toLowerCase(),
    );
    if (!code)
      throw scriptFailed(source, `ScriptNotFound: code_hash: Byte32(${lock.code_hash.toLowerCase()})`);
    if (lock.hash_type !== 'type' || lock.code_hash.toLowerCase() !== SECP256K1_CODE_HASH)
      throw scriptFailed(source, 'the devnet runs only the secp256k1-blake160 sighash-all lock');
    const exit = verifySighashAll(txHash, lock.args, indices, tx.witnesses, tx.inputs.length);
    if (exit !== 0) {
      throw scriptFailed(
        source,
        `ValidationFailure: see error code ${exit} on page https://nervosnetwork.github.io/ckb-script-error-codes/by-type-hash/${lock.code_hash.slice(2).toLowerCase()}.html#${exit}`,
      );
    }
  }
  return { fee, occupiedDelta };
}

function dataHashOf(data: string): string {
  return hexToBytes(data).length === 0 ? '0x' + '00'.repeat(32) : ccc.hashCkb(data);
}
