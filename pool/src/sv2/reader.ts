import { Sv2ProtocolError } from './error.js';
import { readUtf8 } from './utf8.js';

// Scratch space for F32 and U64: copy the bytes in, read the value out; no intermediate allocation.
const scratchBytes = new Uint8Array(8);
const scratch = new DataView(scratchBytes.buffer);

/**
 * Reads SV2 data types ([SPEC] 03-Protocol-Overview.md §3.1, all little-endian) from
 * `bytes[start..end)`.
 *
 * - Every read checks the bytes remaining first and throws Sv2ProtocolError naming the
 *   field (`<context>.<field>`) instead of reading past `end`.
 * - Byte-typed fields (U256, PUBKEY, SIGNATURE, B0_*) are returned as **copies**: decoded
 *   values never alias the input, so a kept target or extranonce neither pins a 64 KiB socket
 *   chunk in memory nor changes if the input buffer is reused. Measured on Node 20: copying a
 *   32-byte field costs about the same as creating a view (~10 ns more per NewMiningJob on
 *   a view of a large buffer) and is cheaper when the input is a small on-heap Uint8Array
 *   (a view forces V8 to move its storage off-heap).
 * - Sequence counts are checked against the bytes remaining (count × minimum element size)
 *   before any array is allocated, so a forged count cannot make the reader allocate more
 *   than the input justifies.
 */
export class Reader {
  private _bytes: Uint8Array;
  private _context: string;
  private pos: number;
  private end: number;

  constructor(bytes: Uint8Array, context = 'payload', start = 0, end = bytes.length) {
    this._bytes = bytes;
    this._context = context;
    this.pos = start;
    this.end = end;
  }

  /** Points this reader at new input (lets a hot path reuse one Reader). */
  reset(bytes: Uint8Array, context = 'payload', start = 0, end = bytes.length): this {
    this._bytes = bytes;
    this._context = context;
    this.pos = start;
    this.end = end;
    return this;
  }

  get bytes(): Uint8Array {
    return this._bytes;
  }

  /** Prefix for error field names, usually the message type. */
  get context(): string {
    return this._context;
  }

  /** Current read position in `bytes`. */
  get offset(): number {
    return this.pos;
  }

  get remaining(): number {
    return this.end - this.pos;
  }

  /** Throws unless every byte has been consumed (trailing bytes are a protocol error). */
  finish(): void {
    if (this.pos !== this.end)
      this.fail('end', `${this.end - this.pos} trailing byte(s) after the last field`);
  }

  fail(field: string, detail: string): never {
    throw new Sv2ProtocolError(`${this._context}.${field}`, detail);
  }

  /** Advances past `n` bytes and returns where they start. */
  private take(n: number, field: string): number {
    const at = this.pos;
    if (this.end - at < n) this.fail(field, `truncated: needs ${n} byte(s), ${this.end - at} left`);
    this.pos = at + n;
    return at;
  }

  u8(field: string): number {
    return this._bytes[this.take(1, field)]!;
  }

  u16(field: string): number {
    const b = this._bytes;
    const p = this.take(2, field);
    return b[p]! | (b[p + 1]! << 8);
  }

  u24(field: string): number {
    const b = this._bytes;
    const p = this.take(3, field);
    return b[p]! | (b[p + 1]! << 8) | (b[p + 2]! << 16);
  }

  u32(field: string): number {
    const b = this._bytes;
    const p = this.take(4, field);
    return (b[p]! | (b[p + 1]! << 8) | (b[p + 2]! << 16) | (b[p + 3]! << 24)) >>> 0;
  }

  u64(field: string): bigint {
    this.toScratch(this.take(8, field), 8);
    return scratch.getBigUint64(0, true);
  }

  f32(field: string): number {
    this.toScratch(this.take(4, field), 4);
    return scratch.getFloat32(0, true);
  }

  private toScratch(p: number, n: number): void {
    const b = this._bytes;
    for (let i = 0; i < n; i++) scratchBytes[i] = b[p + i]!;
  }

  /** BOOL: only the least significant bit carries meaning ([SPEC] §3.1). */
  bool(field: string): boolean {
    return (this._bytes[this.take(1, field)]! & 1) === 1;
  }

  /** `n` raw bytes, copied. */
  fixed(n: number, field: string): Uint8Array {
    const p = this.take(n, field);
    return this._bytes.slice(p, p + n);
  }

  u256(field: string): Uint8Array {
    return this.fixed(32, field);
  }

  pubkey(field: string): Uint8Array {
    return this.fixed(32, field);
  }

  signature(field: string): Uint8Array {
    return this.fixed(64, field);
  }

  str0_255(field: string): string {
    const n = this.u8(field);
    const p = this.take(n, field);
    const s = readUtf8(this._bytes, p, p + n);
    if (s === undefined) this.fail(field, 'STR0_255 is not valid UTF-8');
    return s;
  }

  /** `n` raw bytes of UTF-8 (no length prefix; a TLV value). */
  utf8(n: number, field: string): string {
    const p = this.take(n, field);
    const s = readUtf8(this._bytes, p, p + n);
    if (s === undefined) this.fail(field, 'not valid UTF-8');
    return s;
  }

  /** Skips `n` bytes (an unknown TLV's value). */
  skip(n: number, field: string): void {
    this.take(n, field);
  }

  b0_32(field: string): Uint8Array {
    const n = this.u8(field);
    if (n > 32) this.fail(field, `B0_32 length ${n} exceeds 32`);
    return this.fixed(n, field);
  }

  b0_255(field: string): Uint8Array {
    return this.fixed(this.u8(field), field);
  }

  b0_64k(field: string): Uint8Array {
    return this.fixed(this.u16(field), field);
  }

  b0_16m(field: string): Uint8Array {
    return this.fixed(this.u24(field), field);
  }

  /** SEQ0_255[T]: U8 element count, then the elements; `minSize` = smallest encoding of T. */
  seq0_255<T>(field: string, minSize: number, readItem: (r: Reader) => T): T[] {
    return this.items(this.u8(field), field, minSize, readItem);
  }

  /** SEQ0_64K[T]: U16 element count, then the elements. */
  seq0_64k<T>(field: string, minSize: number, readItem: (r: Reader) => T): T[] {
    return this.items(this.u16(field), field, minSize, readItem);
  }

  /** OPTION[T] (= SEQ0_1[T]): count byte 0 or 1, then T if 1. */
  option<T>(field: string, readItem: (r: Reader) => T): T | undefined {
    const count = this.u8(field);
    if (count === 0) return undefined;
    if (count !== 1) this.fail(field, `OPTION count ${count} is neither 0 nor 1`);
    return readItem(this);
  }

  private items<T>(count: number, field: string, minSize: number, readItem: (r: Reader) => T): T[] {
    if (count * minSize > this.end - this.pos) {
      this.fail(
        field,
        `truncated: ${count} element(s) need at least ${count * minSize} byte(s), ${this.remaining} left`,
      );
    }
    const out = new Array<T>(count);
    for (let i = 0; i < count; i++) out[i] = readItem(this);
    return out;
  }
}
