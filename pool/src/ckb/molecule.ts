/**
 * Molecule encoding of a JSON-RPC transaction (`util/gen-types/schemas/blockchain.mol`), written straight
 * from the JSON into one buffer. @ckb-ccc/core produces the same bytes (the tests compare them) but
 * through its object model at ~0.4-0.6 ms per transaction (pool/bench/ckb.bench.ts); templates are
 * rebuilt about once a second with up to hundreds of transactions, so the job maker encodes directly.
 *
 * Layouts: struct = fields concatenated; fixvec = u32 count ‖ items; table and dynvec =
 * u32 total_size ‖ u32 offset per field/item ‖ fields/items; option = empty or the inner value.
 * Transaction = table{ raw: RawTransaction, witnesses: BytesVec }.
 */
import { CkbHexError } from './hex.js';
import type { JsonCellOutput, JsonScript, JsonTransaction } from './types.js';

const HASH_TYPES: Record<string, number> = { data: 0, type: 1, data1: 2, data2: 4 };
const DEP_TYPES: Record<string, number> = { code: 0, dep_group: 1 };

/** The encoded Transaction; `raw` is the RawTransaction inside it (tx hash = ckbhash(raw)). */
export interface EncodedTransaction {
  full: Uint8Array;
  raw: Uint8Array;
}

export function encodeTransaction(tx: JsonTransaction): EncodedTransaction {
  const w = new Writer(transactionSize(tx));
  const witnessesSize = dynvecSize(tx.witnesses.map(bytesSize));
  const rawSize = rawTransactionSize(tx);
  w.tableHeader([rawSize, witnessesSize]);
  const rawStart = w.pos;
  writeRawTransaction(w, tx, rawSize);
  w.dynvecHeader(tx.witnesses.map(bytesSize));
  for (const witness of tx.witnesses) w.bytes(witness);
  return { full: w.buf, raw: w.buf.subarray(rawStart, rawStart + rawSize) };
}

function transactionSize(tx: JsonTransaction): number {
  return tableSize([rawTransactionSize(tx), dynvecSize(tx.witnesses.map(bytesSize))]);
}

function rawTransactionSize(tx: JsonTransaction): number {
  return tableSize([
    4,
    4 + 37 * tx.cell_deps.length,
    4 + 32 * tx.header_deps.length,
    4 + 44 * tx.inputs.length,
    dynvecSize(tx.outputs.map(cellOutputSize)),
    dynvecSize(tx.outputs_data.map(bytesSize)),
  ]);
}

function writeRawTransaction(w: Writer, tx: JsonTransaction, size: number): void {
  const outputsSize = dynvecSize(tx.outputs.map(cellOutputSize));
  const dataSizes = tx.outputs_data.map(bytesSize);
  const end = w.pos + size;
  w.tableHeader([
    4,
    4 + 37 * tx.cell_deps.length,
    4 + 32 * tx.header_deps.length,
    4 + 44 * tx.inputs.length,
    outputsSize,
    dynvecSize(dataSizes),
  ]);
  w.u32(uint(tx.version, 32));
  w.u32(tx.cell_deps.length);
  for (const dep of tx.cell_deps) {
    w.fixed(dep.out_point.tx_hash, 32);
    w.u32(uint(dep.out_point.index, 32));
    w.u8(lookup(DEP_TYPES, dep.dep_type, 'dep_type'));
  }
  w.u32(tx.header_deps.length);
  for (const h of tx.header_deps) w.fixed(h, 32);
  w.u32(tx.inputs.length);
  for (const input of tx.inputs) {
    w.u64(uint(input.since, 64));
    w.fixed(input.previous_output.tx_hash, 32);
    w.u32(uint(input.previous_output.index, 32));
  }
  w.dynvecHeader(tx.outputs.map(cellOutputSize));
  for (const output of tx.outputs) writeCellOutput(w, output);
  w.dynvecHeader(dataSizes);
  for (const data of tx.outputs_data) w.bytes(data);
  if (w.pos !== end) throw new Error(`molecule size mismatch: wrote ${w.pos - end + size}, expected ${size}`);
}

function cellOutputSize(o: JsonCellOutput): number {
  return tableSize([8, scriptSize(o.lock), o.type ? scriptSize(o.type) : 0]);
}

function writeCellOutput(w: Writer, o: JsonCellOutput): void {
  w.tableHeader([8, scriptSize(o.lock), o.type ? scriptSize(o.type) : 0]);
  w.u64(uint(o.capacity, 64));
  writeScript(w, o.lock);
  if (o.type) writeScript(w, o.type);
}

function scriptSize(s: JsonScript): number {
  return tableSize([32, 1, bytesSize(s.args)]);
}

function writeScript(w: Writer, s: JsonScript): void {
  w.tableHeader([32, 1, bytesSize(s.args)]);
  w.fixed(s.code_hash, 32);
  w.u8(lookup(HASH_TYPES, s.hash_type, 'hash_type'));
  w.bytes(s.args);
}

/** Size of a `Bytes` fixvec for a `0x…` string. */
function bytesSize(hex: string): number {
  return 4 + hexLength(hex);
}

function tableSize(fields: number[]): number {
  return 4 + 4 * fields.length + fields.reduce((a, b) => a + b, 0);
}

const dynvecSize = tableSize;

function hexLength(hex: string): number {
  if (typeof hex !== 'string' || !hex.startsWith('0x') || hex.length % 2 !== 0) {
    throw new CkbHexError(`not a 0x-prefixed even-length hex string: ${JSON.stringify(hex)?.slice(0, 80)}`);
  }
  return (hex.length - 2) / 2;
}

function uint(hex: string, bits: 32 | 64): bigint {
  if (typeof hex !== 'string' || !/^0x[0-9a-fA-F]{1,16}$/.test(hex))
    throw new CkbHexError(`not a hex integer: ${JSON.stringify(hex)}`);
  const v = BigInt(hex);
  if (v >> BigInt(bits) !== 0n) throw new CkbHexError(`${hex} does not fit in ${bits} bits`);
  return v;
}

function lookup(table: Record<string, number>, key: string, what: string): number {
  const v = table[key];
  if (v === undefined) throw new CkbHexError(`unknown ${what}: ${JSON.stringify(key)}`);
  return v;
}

class Writer {
  readonly buf: Uint8Array;
  private readonly view: DataView;
  pos = 0;

  constructor(size: number) {
    this.buf = new Uint8Array(size);
    this.view = new DataView(this.buf.buffer);
  }

  u8(v: number): void {
    this.buf[this.pos++] = v;
  }

  u32(v: number | bigint): void {
    this.view.setUint32(this.pos, Number(v), true);
    this.pos += 4;
  }

  u64(v: bigint): void {
    this.view.setBigUint64(this.pos, v, true);
    this.pos += 8;
  }

  /** Fixed-size byte field (Byte32) from hex. */
  fixed(hex: string, length: number): void {
    if (hexLength(hex) !== length) throw new CkbHexError(`expected ${length} bytes: ${hex.slice(0, 80)}`);
    this.hex(hex);
  }

  /** `Bytes` (fixvec<byte>) from hex. */
  bytes(hex: string): void {
    this.u32(hexLength(hex));
    this.hex(hex);
  }

  /** table or dynvec header: total size, then the offset of each field. */
  tableHeader(sizes: number[]): void {
    const headerSize = 4 + 4 * sizes.length;
    this.u32(headerSize + sizes.reduce((a, b) => a + b, 0));
    let offset = headerSize;
    for (const size of sizes) {
      this.u32(offset);
      offset += size;
    }
  }

  dynvecHeader(sizes: number[]): void {
    this.tableHeader(sizes);
  }

  private hex(hex: string): void {
    const n = (hex.length - 2) / 2;
    const written = Buffer.from(this.buf.buffer, this.buf.byteOffset + this.pos, n).write(
      hex.slice(2),
      'hex',
    );
    if (written !== n) throw new CkbHexError(`invalid hex digits: ${hex.slice(0, 80)}`);
    this.pos += n;
  }
}
