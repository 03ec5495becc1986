import { Sv2ProtocolError } from './error.js';
import { utf8ByteLength, writeUtf8 } from './utf8.js';

// Scratch space for F32 and U64 conversions: no allocation per call.
const scratchBytes = new Uint8Array(8);
const scratch = new DataView(scratchBytes.buffer);
const U64_MAX = (1n << 64n) - 1n;

const byteLength = (b: Uint8Array): number => (b instanceof Uint8Array ? b.length : 0);

/**
 * Encoded sizes of the variable-length SV2 data types, so a message's exact size can be
 * computed before its buffer is allocated (one allocation per message or frame).
 */
export const sizeOf = {
  // Wrong-typed values size as empty here; the Writer then rejects them with Sv2ProtocolError.
  str0_255: (s: string): number => 1 + (typeof s === 'string' ? Math.max(0, utf8ByteLength(s)) : 0),
  b0_32: (b: Uint8Array): number => 1 + byteLength(b),
  b0_255: (b: Uint8Array): number => 1 + byteLength(b),
  b0_64k: (b: Uint8Array): number => 2 + byteLength(b),
  b0_16m: (b: Uint8Array): number => 3 + byteLength(b),
  option: <T>(v: T | undefined, itemSize: number): number => (v === undefined ? 1 : 1 + itemSize),
} as const;

/**
 * Writes SV2 data types into a caller-sized buffer. Every write validates its value
 * against the wire type (integer range, fixed byte lengths, length-prefix bounds) and
 * throws Sv2ProtocolError naming the field; the buffer must be large enough (size it with
 * the message's size function), running off its end is a programming error.
 */
export class Writer {
  private _bytes: Uint8Array;
  private _context: string;
  /** Next write position in `bytes`. */
  pos: number;

  constructor(bytes: Uint8Array, offset = 0, context = 'payload') {
    this._bytes = bytes;
    this.pos = offset;
    this._context = context;
  }

  /** Points this writer at a new buffer (lets a hot path reuse one Writer). */
  reset(bytes: Uint8Array, offset = 0, context = 'payload'): this {
    this._bytes = bytes;
    this.pos = offset;
    this._context = context;
    return this;
  }

  get bytes(): Uint8Array {
    return this._bytes;
  }

  /** Prefix for error field names, usually the message type. */
  get context(): string {
    return this._context;
  }

  fail(field: string, detail: string): never {
    throw new Sv2ProtocolError(`${this._context}.${field}`, detail);
  }

  u8(v: number, field: string): void {
    if (typeof v !== 'number' || (v & 0xff) !== v) this.fail(field, `${String(v)} is not a U8`);
    this._bytes[this.pos++] = v;
  }

  u16(v: number, field: string): void {
    if (typeof v !== 'number' || (v & 0xffff) !== v) this.fail(field, `${String(v)} is not a U16`);
    const b = this._bytes;
    const p = this.pos;
    b[p] = v;
    b[p + 1] = v >>> 8;
    this.pos = p + 2;
  }

  u24(v: number, field: string): void {
    if (typeof v !== 'number' || (v & 0xffffff) !== v) this.fail(field, `${String(v)} is not a U24`);
    const b = this._bytes;
    const p = this.pos;
    b[p] = v;
    b[p + 1] = v >>> 8;
    b[p + 2] = v >>> 16;
    this.pos = p + 3;
  }

  u32(v: number, field: string): void {
    if (typeof v !== 'number' || v >>> 0 !== v) this.fail(field, `${String(v)} is not a U32`);
    const b = this._bytes;
    const p = this.pos;
    b[p] = v;
    b[p + 1] = v >>> 8;
    b[p + 2] = v >>> 16;
    b[p + 3] = v >>> 24;
    this.pos = p + 4;
  }

  u64(v: bigint, field: string): void {
    if (typeof v !== 'bigint' || v < 0n || v > U64_MAX) this.fail(field, `${String(v)} is not a U64`);
    // Through a scratch DataView: no intermediate BigInt allocations.
    scratch.setBigUint64(0, v, true);
    this.copyScratch(8);
  }

  /** F32: IEEE-754 binary32, little-endian (not in the spec table, used as SRI does). */
  f32(v: number, field: string): void {
    if (typeof v !== 'number') this.fail(field, `${String(v)} is not a number`);
    scratch.setFloat32(0, v, true);
    this.copyScratch(4);
  }

  private copyScratch(n: number): void {
    const b = this._bytes;
    const p = this.pos;
    for (let i = 0; i < n; i++) b[p + i] = scratchBytes[i]!;
    this.pos = p + n;
  }

  bool(v: boolean, field: string): void {
    if (typeof v !== 'boolean') this.fail(field, `${String(v)} is not a boolean`);
    this._bytes[this.pos++] = v ? 1 : 0;
  }

  /** Exactly `n` raw bytes. */
  fixed(v: Uint8Array, n: number, field: string): void {
    if (!(v instanceof Uint8Array) || v.length !== n) this.fail(field, `expected ${n} bytes`);
    this._bytes.set(v, this.pos);
    this.pos += n;
  }

  u256(v: Uint8Array, field: string): void {
    this.fixed(v, 32, field);
  }

  pubkey(v: Uint8Array, field: string): void {
    this.fixed(v, 32, field);
  }

  signature(v: Uint8Array, field: string): void {
    this.fixed(v, 64, field);
  }

  str0_255(s: string, field: string): void {
    if (typeof s !== 'string') this.fail(field, `${String(s)} is not a string`);
    const n = utf8ByteLength(s);
    if (n < 0) this.fail(field, 'string holds a lone surrogate (no UTF-8 form)');
    if (n > 255) this.fail(field, `STR0_255 is ${n} UTF-8 bytes, more than 255`);
    this._bytes[this.pos++] = n;
    writeUtf8(s, n, this._bytes, this.pos);
    this.pos += n;
  }

  /** `s` as `byteLength` raw UTF-8 bytes (from utf8ByteLength; no length prefix). */
  utf8(s: string, byteLength: number, field: string): void {
    if (byteLength < 0) this.fail(field, 'string holds a lone surrogate (no UTF-8 form)');
    writeUtf8(s, byteLength, this._bytes, this.pos);
    this.pos += byteLength;
  }

  b0_32(v: Uint8Array, field: string): void {
    this.prefixed(v, 1, 32, field);
  }

  b0_255(v: Uint8Array, field: string): void {
    this.prefixed(v, 1, 255, field);
  }

  b0_64k(v: Uint8Array, field: string): void {
    this.prefixed(v, 2, 0xffff, field);
  }

  b0_16m(v: Uint8Array, field: string): void {
    this.prefixed(v, 3, 0xffffff, field);
  }

  /** SEQ0_255[T]: U8 element count, then each element. */
  seq0_255<T>(items: readonly T[], field: string, writeItem: (w: Writer, item: T) => void): void {
    if (!Array.isArray(items) || items.length > 255)
      this.fail(field, 'SEQ0_255 needs an array of at most 255 elements');
    this.u8(items.length, field);
    for (const item of items) writeItem(this, item);
  }

  /** SEQ0_64K[T]: U16 element count, then each element. */
  seq0_64k<T>(items: readonly T[], field: string, writeItem: (w: Writer, item: T) => void): void {
    if (!Array.isArray(items) || items.length > 0xffff) {
      this.fail(field, 'SEQ0_64K needs an array of at most 65535 elements');
    }
    this.u16(items.length, field);
    for (const item of items) writeItem(this, item);
  }

  /** OPTION[T]: count byte 0 (undefined) or 1, then T. */
  option<T>(v: T | undefined, field: string, writeItem: (w: Writer, item: T) => void): void {
    if (v === undefined) {
      this._bytes[this.pos++] = 0;
    } else {
      this._bytes[this.pos++] = 1;
      writeItem(this, v);
    }
  }

  private prefixed(v: Uint8Array, prefixBytes: 1 | 2 | 3, max: number, field: string): void {
    if (!(v instanceof Uint8Array)) this.fail(field, 'expected a Uint8Array');
    if (v.length > max) this.fail(field, `${v.length} bytes exceed the maximum ${max}`);
    const b = this._bytes;
    let p = this.pos;
    b[p++] = v.length;
    if (prefixBytes > 1) b[p++] = v.length >>> 8;
    if (prefixBytes > 2) b[p++] = v.length >>> 16;
    b.set(v, p);
    this.pos = p + v.length;
  }
}
