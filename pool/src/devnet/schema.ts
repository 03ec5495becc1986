/**
 * Shape check of a submit_block `Block` param as the node's serde does it: every struct is
 * `#[serde(deny_unknown_fields)]` (`util/jsonrpc-types/src/blockchain.rs`), so a stray `hash` is an error,
 * and Uint JSON must be minimal hex. Messages follow serde's wording.
 */
import { isMinimalUintHex } from '../ckb/hex.js';

type Spec = { [field: string]: Kind };
type Kind = 'uint' | 'bytes' | 'hash' | 'string' | { struct: Spec } | { array: Kind } | { nullable: Kind };

const SCRIPT: Spec = { code_hash: 'hash', hash_type: 'string', args: 'bytes' };
const OUT_POINT: Spec = { tx_hash: 'hash', index: 'uint' };
const HEADER: Spec = {
  compact_target: 'uint',
  dao: 'hash',
  epoch: 'uint',
  extra_hash: 'hash',
  nonce: 'uint',
  number: 'uint',
  parent_hash: 'hash',
  proposals_hash: 'hash',
  timestamp: 'uint',
  transactions_root: 'hash',
  version: 'uint',
};
const TRANSACTION: Spec = {
  version: 'uint',
  cell_deps: { array: { struct: { out_point: { struct: OUT_POINT }, dep_type: 'string' } } },
  header_deps: { array: 'hash' },
  inputs: { array: { struct: { previous_output: { struct: OUT_POINT }, since: 'uint' } } },
  outputs: {
    array: { struct: { capacity: 'uint', lock: { struct: SCRIPT }, type: { nullable: { struct: SCRIPT } } } },
  },
  outputs_data: { array: 'bytes' },
  witnesses: { array: 'bytes' },
};
const BLOCK: Spec = {
  header: { struct: HEADER },
  uncles: { array: { struct: { header: { struct: HEADER }, proposals: { array: 'bytes' } } } },
  transactions: { array: { struct: TRANSACTION } },
  proposals: { array: 'bytes' },
  extension: 'bytes',
};
const OPTIONAL = new Set(['extension']);

/** undefined when `tx` has exactly the node's Transaction shape (send_transaction's param), else serde-style error text. */
export function checkTransactionShape(tx: unknown): string | undefined {
  return check(tx, { struct: TRANSACTION }, 'transaction');
}

/** undefined when `block` has exactly the node's Block shape, else serde-style error text. */
export function checkBlockShape(block: unknown): string | undefined {
  return check(block, { struct: BLOCK }, 'block');
}

function check(value: unknown, kind: Kind, path: string): string | undefined {
  if (typeof kind === 'string') {
    if (typeof value !== 'string') return `invalid type at ${path}: expected a string`;
    if (kind === 'uint' && !isMinimalUintHex(value))
      return `${path}: invalid uint ${JSON.stringify(value)} (0x-prefixed minimal hex required, no redundant leading zeros)`;
    if (kind === 'hash' && !/^0x[0-9a-fA-F]{64}$/.test(value))
      return `${path}: invalid H256 ${JSON.stringify(value)}`;
    if (kind === 'bytes' && !/^0x([0-9a-fA-F]{2})*$/.test(value))
      return `${path}: invalid JsonBytes ${JSON.stringify(value)}`;
    return undefined;
  }
  if ('nullable' in kind) return value === null ? undefined : check(value, kind.nullable, path);
  if ('array' in kind) {
    if (!Array.isArray(value)) return `invalid type at ${path}: expected a sequence`;
    for (let i = 0; i < value.length; i++) {
      const err = check(value[i], kind.array, `${path}[${i}]`);
      if (err) return err;
    }
    return undefined;
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    return `invalid type at ${path}: expected a map`;
  const fields = Object.keys(kind.struct);
  for (const key of Object.keys(value)) {
    if (!(key in kind.struct))
      return `unknown field \`${key}\` at ${path}, expected one of ${fields.map((f) => `\`${f}\``).join(', ')}`;
  }
  for (const field of fields) {
    const v = (value as Record<string, unknown>)[field];
    if (v === undefined) {
      // serde deserialises a missing Option field as None.
      const fieldKind = kind.struct[field]!;
      if (
        (OPTIONAL.has(field) && path === 'block') ||
        (typeof fieldKind === 'object' && 'nullable' in fieldKind)
      )
        continue;
      return `missing field \`${field}\` at ${path}`;
    }
    const err = check(v, kind.struct[field]!, `${path}.${field}`);
    if (err) return err;
  }
  return undefined;
}

/** The transaction with every missing output `type` as null, as the node reads (and echoes) it. */
export function withNullTypes<T extends { outputs: { type?: unknown }[] }>(tx: T): T {
  return { ...tx, outputs: tx.outputs.map((o) => ({ ...o, type: o.type ?? null })) };
}
