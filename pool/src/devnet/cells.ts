/**
 * The devnet's cell set (pure): every output of the main chain's committed transactions, live or
 * spent, with the transaction info the node keeps (block number and hash, index in the block,
 * the block's epoch), and the committed transactions by hash. Serves get_live_cell, get_transaction
 * of committed transactions and the indexer's get_cells / get_cells_capacity
 * (ckb-indexer's search key: script + script_type, prefix/exact/partial args match, filters).
 */
import { ckbHash as ckbHashBytes } from '../ckb/hash.js';
import type { Epoch } from '../ckb/header.js';
import { bytesToHex, hexToBytes, hexToUint, uintToHex } from '../ckb/hex.js';
import type { JsonCellOutput, JsonOutPoint, JsonScript, JsonTransaction } from '../ckb/types.js';
import { DevnetRpcError } from './errors.js';

export interface CellEntry {
  outPoint: JsonOutPoint;
  output: JsonCellOutput;
  data: string;
  blockNumber: bigint;
  blockHash: string;
  txIndex: number;
  /** Epoch of the block that created the cell (cellbase maturity counts from it). */
  epoch: Epoch;
  /** The transaction that spent it (committed), undefined while live. */
  spentBy?: string;
  /** Position in commit order: the indexer's order and cursor. */
  seq: number;
}

export interface CommittedTx {
  tx: JsonTransaction & { hash: string };
  blockNumber: bigint;
  blockHash: string;
  txIndex: number;
}

export interface CommittedBlock {
  number: bigint;
  hash: string;
  epoch: Epoch;
  transactions: readonly (JsonTransaction & { hash: string })[];
}

/** `tx_hash:index` with the hash lowercased and the index as a number. */
export function outPointKey(o: JsonOutPoint): string {
  return `${o.tx_hash.toLowerCase()}:${hexToUint(o.index, 32)}`;
}

export class CellSet {
  private readonly cells = new Map<string, CellEntry>();
  private readonly txs = new Map<string, CommittedTx>();
  private seq = 0;

  /** Applies a main-chain block: spends its inputs (the cellbase has none), adds its outputs. */
  commit(block: CommittedBlock): void {
    block.transactions.forEach((tx, txIndex) => {
      const hash = tx.hash.toLowerCase();
      if (txIndex > 0)
        for (const input of tx.inputs) this.cells.get(outPointKey(input.previous_output))!.spentBy = hash;
      tx.outputs.forEach((output, index) => {
        const outPoint = { tx_hash: hash, index: uintToHex(index) };
        this.cells.set(outPointKey(outPoint), {
          outPoint,
          output,
          data: tx.outputs_data[index] ?? '0x',
          blockNumber: block.number,
          blockHash: block.hash,
          txIndex,
          epoch: block.epoch,
          seq: this.seq++,
        });
      });
      this.txs.set(hash, { tx, blockNumber: block.number, blockHash: block.hash, txIndex });
    });
  }

  cell(o: JsonOutPoint): CellEntry | undefined {
    return this.cells.get(outPointKey(o));
  }

  transaction(hash: string): CommittedTx | undefined {
    return this.txs.get(hash.toLowerCase());
  }

  /**
   * get_live_cell's answer: `live` with the cell and its block hash, else `unknown`, for a spent cell
   * too (ckb 0.210.0 answers `unknown`, not `dead`, for an output its chain spent).
   */
  liveCell(o: JsonOutPoint, withData: boolean): object {
    const c = this.cells.get(outPointKey(o));
    if (!c || c.spentBy) return { cell: null, status: 'unknown', block_hash: null };
    return {
      cell: {
        output: c.output,
        data: withData ? { content: c.data, hash: dataHash(c.data) } : null,
      },
      status: 'live',
      block_hash: c.blockHash,
    };
  }

  /** The indexer's get_cells over live cells, in commit order (`asc`) or its reverse. */
  findCells(key: unknown, order: unknown, limit: unknown, after: unknown): object {
    const search = parseSearchKey(key);
    if (order !== 'asc' && order !== 'desc')
      throw new DevnetRpcError(
        -32602,
        `Invalid params: unknown variant \`${String(order)}\`, expected \`desc\` or \`asc\``,
      );
    const max = Number(hexToUintParam(limit));
    if (max === 0) throw new DevnetRpcError(-1200, 'Indexer: limit should be greater than 0');
    const from = after === null || after === undefined ? undefined : Number(hexToUint(after as string));
    const all = [...this.cells.values()];
    if (order === 'desc') all.reverse();
    const objects: object[] = [];
    let last: number | undefined;
    for (const c of all) {
      if (c.spentBy || !matches(c, search)) continue;
      if (from !== undefined && (order === 'asc' ? c.seq <= from : c.seq >= from)) continue;
      objects.push({
        output: c.output,
        ...(search.withData ? { output_data: c.data } : {}),
        out_point: c.outPoint,
        block_number: uintToHex(c.blockNumber),
        tx_index: uintToHex(c.txIndex),
      });
      last = c.seq;
      if (objects.length === max) break;
    }
    return { objects, last_cursor: last === undefined ? '0x' : uintToHex(BigInt(last)) };
  }

  /** Sum of the matching live cells' capacity. */
  cellsCapacity(key: unknown): bigint {
    const search = parseSearchKey(key);
    let sum = 0n;
    for (const c of this.cells.values())
      if (!c.spentBy && matches(c, search)) sum += hexToUint(c.output.capacity);
    return sum;
  }
}

function dataHash(data: string): string {
  const bytes = hexToBytes(data);
  return bytes.length === 0 ? '0x' + '00'.repeat(32) : bytesToHex(ckbHashBytes(bytes));
}

type Range = [bigint, bigint];
interface SearchKey {
  script: JsonScript;
  type: 'lock' | 'type';
  mode: 'prefix' | 'exact' | 'partial';
  withData: boolean;
  filterScript?: JsonScript;
  scriptLen?: Range;
  dataLen?: Range;
  capacity?: Range;
  blocks?: Range;
}

function hexToUintParam(v: unknown): bigint {
  try {
    return hexToUint(v as string);
  } catch (err) {
    throw new DevnetRpcError(-32602, `Invalid params: ${(err as Error).message}`);
  }
}

function range(v: unknown): Range | undefined {
  if (v === undefined || v === null) return undefined;
  if (!Array.isArray(v) || v.length !== 2)
    throw new DevnetRpcError(-32602, 'Invalid params: a range is [start, end)');
  return [hexToUintParam(v[0]), hexToUintParam(v[1])];
}

function parseSearchKey(key: unknown): SearchKey {
  const k = key as Record<string, unknown> | null;
  const script = k?.script as JsonScript | undefined;
  if (!script || typeof script.code_hash !== 'string' || typeof script.args !== 'string')
    throw new DevnetRpcError(-32602, 'Invalid params: missing field `script`');
  if (k!.script_type !== 'lock' && k!.script_type !== 'type')
    throw new DevnetRpcError(-32602, 'Invalid params: script_type is `lock` or `type`');
  const mode = (k!.script_search_mode ?? 'prefix') as SearchKey['mode'];
  if (!['prefix', 'exact', 'partial'].includes(mode))
    throw new DevnetRpcError(-32602, `Invalid params: unknown script_search_mode ${String(mode)}`);
  const f = (k!.filter ?? {}) as Record<string, unknown>;
  if (f.output_data !== undefined && f.output_data !== null)
    throw new DevnetRpcError(-1200, 'Indexer: the devnet does not filter by output_data');
  return {
    script,
    type: k!.script_type,
    mode,
    withData: k!.with_data !== false,
    ...(f.script ? { filterScript: f.script as JsonScript } : {}),
    ...(range(f.script_len_range) ? { scriptLen: range(f.script_len_range)! } : {}),
    ...(range(f.output_data_len_range) ? { dataLen: range(f.output_data_len_range)! } : {}),
    ...(range(f.output_capacity_range) ? { capacity: range(f.output_capacity_range)! } : {}),
    ...(range(f.block_range) ? { blocks: range(f.block_range)! } : {}),
  };
}

function scriptMatches(s: JsonScript | null, want: JsonScript, mode: SearchKey['mode']): boolean {
  if (!s || s.code_hash.toLowerCase() !== want.code_hash.toLowerCase() || s.hash_type !== want.hash_type)
    return false;
  const args = s.args.toLowerCase();
  const w = want.args.toLowerCase();
  if (mode === 'exact') return args === w;
  if (mode === 'partial') return args.slice(2).includes(w.slice(2));
  return args.startsWith(w);
}

/** Molecule size of a Script (table header 16 + code_hash 32 + hash_type 1 + args Bytes 4 + n); 0 for none. */
function scriptSize(s: JsonScript | null): bigint {
  return s ? BigInt(53 + (s.args.length - 2) / 2) : 0n;
}

const inRange = (v: bigint, r: Range | undefined) => !r || (v >= r[0] && v < r[1]);

function matches(c: CellEntry, k: SearchKey): boolean {
  const primary = k.type === 'lock' ? c.output.lock : c.output.type;
  const other = k.type === 'lock' ? c.output.type : c.output.lock;
  if (!scriptMatches(primary, k.script, k.mode)) return false;
  if (k.filterScript && !scriptMatches(other, k.filterScript, 'prefix')) return false;
  return (
    inRange(scriptSize(other), k.scriptLen) &&
    inRange(BigInt((c.data.length - 2) / 2), k.dataLen) &&
    inRange(hexToUint(c.output.capacity), k.capacity) &&
    inRange(c.blockNumber, k.blocks)
  );
}
