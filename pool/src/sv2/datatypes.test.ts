import { describe, expect, it } from 'vitest';
import { Sv2ProtocolError } from './error.js';
import { Reader } from './reader.js';
import { sizeOf, Writer } from './writer.js';

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');
const unhex = (s: string): Uint8Array => new Uint8Array(Buffer.from(s.replace(/\s+/g, ''), 'hex'));

/** Encodes with `write` into a buffer of `size` bytes and checks the writer filled it exactly. */
function encode(size: number, write: (w: Writer) => void): Uint8Array {
  const out = new Uint8Array(size);
  const w = new Writer(out, 0, 'T');
  write(w);
  expect(w.pos).toBe(size);
  return out;
}

function protocolError(fn: () => unknown): Sv2ProtocolError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(Sv2ProtocolError);
    return e as Sv2ProtocolError;
  }
  throw new Error('expected an Sv2ProtocolError');
}

describe('SV2 data types: little-endian encodings ([SPEC] 03-Protocol-Overview.md §3.1)', () => {
  it('encodes integers little-endian', () => {
    expect(hex(encode(1, (w) => w.u8(0xab, 'a')))).toBe('ab');
    expect(hex(encode(2, (w) => w.u16(0x1234, 'a')))).toBe('3412');
    expect(hex(encode(3, (w) => w.u24(0x123456, 'a')))).toBe('563412');
    expect(hex(encode(4, (w) => w.u32(0xdeadbeef, 'a')))).toBe('efbeadde');
    expect(hex(encode(8, (w) => w.u64(0x0102030405060708n, 'a')))).toBe('0807060504030201');
    expect(hex(encode(8, (w) => w.u64((1n << 64n) - 1n, 'a')))).toBe('ffffffffffffffff');
  });

  it('decodes integers little-endian, U32 and U64 as unsigned', () => {
    const r = new Reader(unhex('ab 3412 563412 efbeadde ffffffffffffffff'));
    expect(r.u8('a')).toBe(0xab);
    expect(r.u16('a')).toBe(0x1234);
    expect(r.u24('a')).toBe(0x123456);
    expect(r.u32('a')).toBe(0xdeadbeef);
    expect(r.u64('a')).toBe((1n << 64n) - 1n);
    r.finish();
  });

  it('encodes F32 as IEEE-754 binary32 little-endian', () => {
    expect(hex(encode(4, (w) => w.f32(1, 'a')))).toBe('0000803f');
    expect(hex(encode(4, (w) => w.f32(-2.5, 'a')))).toBe('000020c0');
    expect(new Reader(unhex('0000803f')).f32('a')).toBe(1);
    // 0.1 is not a float32: it comes back as the nearest float32.
    expect(new Reader(encode(4, (w) => w.f32(0.1, 'a'))).f32('a')).toBe(Math.fround(0.1));
  });

  it('BOOL: writes 0/1 and reads only the least significant bit', () => {
    expect(hex(encode(2, (w) => (w.bool(true, 'a'), w.bool(false, 'b'))))).toBe('0100');
    const r = new Reader(unhex('01 00 03 fe'));
    expect([r.bool('a'), r.bool('a'), r.bool('a'), r.bool('a')]).toEqual([true, false, true, false]);
  });

  it('STR0_255: U8 byte length then UTF-8, no terminator', () => {
    expect(hex(encode(4, (w) => w.str0_255('abc', 'a')))).toBe('03616263');
    expect(hex(encode(3, (w) => w.str0_255('é', 'a')))).toBe('02c3a9');
    expect(sizeOf.str0_255('😀')).toBe(5);
    expect(hex(encode(5, (w) => w.str0_255('😀', 'a')))).toBe('04f09f9880');
    expect(new Reader(unhex('04f09f9880')).str0_255('a')).toBe('😀');
    // A leading BOM is data, not stripped.
    expect(new Reader(encode(4, (w) => w.str0_255('\ufeff', 'a'))).str0_255('a')).toBe('\ufeff');
    expect(new Reader(unhex('00')).str0_255('a')).toBe('');
  });

  it('B0_32 / B0_255 / B0_64K / B0_16M: 1/1/2/3-byte little-endian length prefixes', () => {
    const b = Uint8Array.of(9, 8, 7);
    expect(hex(encode(4, (w) => w.b0_32(b, 'a')))).toBe('03090807');
    expect(hex(encode(4, (w) => w.b0_255(b, 'a')))).toBe('03090807');
    expect(hex(encode(5, (w) => w.b0_64k(b, 'a')))).toBe('0300090807');
    expect(hex(encode(6, (w) => w.b0_16m(b, 'a')))).toBe('030000090807');
    const big = new Uint8Array(0x10203);
    expect(hex(encode(3 + big.length, (w) => w.b0_16m(big, 'a')).subarray(0, 3))).toBe('030201');
    const r = new Reader(unhex('03090807 0300090807 030000090807'));
    expect(r.b0_32('a')).toEqual(b);
    expect(r.b0_64k('a')).toEqual(b);
    expect(r.b0_16m('a')).toEqual(b);
    r.finish();
  });

  it('SEQ0_255 / SEQ0_64K: element count (not byte length) then elements; OPTION = SEQ0_1', () => {
    const writeU32 = (w: Writer, v: number): void => w.u32(v, 'x');
    const readU32 = (r: Reader): number => r.u32('x');
    expect(hex(encode(9, (w) => w.seq0_255([1, 2], 'a', writeU32)))).toBe('020100000002000000');
    expect(hex(encode(6, (w) => w.seq0_64k([7], 'a', writeU32)))).toBe('010007000000');
    expect(hex(encode(5, (w) => w.option(5, 'a', writeU32)))).toBe('0105000000');
    expect(hex(encode(1, (w) => w.option(undefined, 'a', writeU32)))).toBe('00');
    const r = new Reader(unhex('020100000002000000 010007000000 0105000000 00'));
    expect(r.seq0_255('a', 4, readU32)).toEqual([1, 2]);
    expect(r.seq0_64k('a', 4, readU32)).toEqual([7]);
    expect(r.option('a', readU32)).toBe(5);
    expect(r.option('a', readU32)).toBeUndefined();
    r.finish();
  });

  it('U256, PUBKEY, SIGNATURE are 32/32/64 raw bytes', () => {
    const u256 = Uint8Array.from({ length: 32 }, (_, i) => i);
    const sig = Uint8Array.from({ length: 64 }, (_, i) => 255 - i);
    const out = encode(128, (w) => (w.u256(u256, 'a'), w.pubkey(u256, 'b'), w.signature(sig, 'c')));
    const r = new Reader(out);
    expect(r.u256('a')).toEqual(u256);
    expect(r.pubkey('b')).toEqual(u256);
    expect(r.signature('c')).toEqual(sig);
    r.finish();
  });

  it('returns byte fields as copies that do not alias the input', () => {
    const input = unhex('02aabb' + '11'.repeat(32));
    const r = new Reader(input);
    const b = r.b0_32('a');
    const u = r.u256('b');
    expect(b).toEqual(Uint8Array.of(0xaa, 0xbb));
    expect(u.length).toBe(32);
    input[1] = 0xcc;
    input[3] = 0xcc;
    expect(b[0]).toBe(0xaa);
    expect(u[0]).toBe(0x11);
  });

  it('reads within [start, end) of a larger buffer', () => {
    const r = new Reader(unhex('ff 01000000 ff'), 'T', 1, 5);
    expect(r.u32('a')).toBe(1);
    r.finish();
    expect(() => r.u8('b')).toThrow(Sv2ProtocolError);
  });
});

describe('SV2 data types: bounds', () => {
  it('rejects values the wire type cannot carry when encoding, naming the field', () => {
    const w = () => new Writer(new Uint8Array(400), 0, 'Msg');
    expect(protocolError(() => w().u8(256, 'x')).field).toBe('Msg.x');
    expect(protocolError(() => w().u16(-1, 'x')).field).toBe('Msg.x');
    expect(protocolError(() => w().u24(0x1000000, 'x')).field).toBe('Msg.x');
    expect(protocolError(() => w().u32(2 ** 32, 'x')).field).toBe('Msg.x');
    protocolError(() => w().u32(1.5, 'x'));
    protocolError(() => w().u32(Number.NaN, 'x'));
    protocolError(() => w().u64(-1n, 'x'));
    protocolError(() => w().u64(1n << 64n, 'x'));
    protocolError(() => w().u256(new Uint8Array(31), 'x'));
    protocolError(() => w().signature(new Uint8Array(32), 'x'));
    protocolError(() => w().b0_32(new Uint8Array(33), 'x'));
    protocolError(() => w().b0_255(new Uint8Array(256), 'x'));
    protocolError(() => w().str0_255('a'.repeat(256), 'x'));
    protocolError(() => w().str0_255('é'.repeat(128), 'x')); // 256 UTF-8 bytes
    protocolError(() => w().str0_255('\ud800', 'x')); // lone surrogate
    protocolError(() => w().seq0_255(new Array<number>(256).fill(0), 'x', () => undefined));
    w().str0_255('a'.repeat(255), 'x');
    w().str0_255('é'.repeat(127), 'x');
  });

  it('rejects malformed input when decoding, naming the field', () => {
    expect(protocolError(() => new Reader(unhex('010203'), 'Msg').u32('x')).field).toBe('Msg.x');
    protocolError(() => new Reader(unhex('21' + '00'.repeat(33))).b0_32('x')); // length 33 > 32
    protocolError(() => new Reader(unhex('05616263')).str0_255('x')); // length past the end
    protocolError(() => new Reader(unhex('02c328')).str0_255('x')); // invalid UTF-8
    protocolError(() => new Reader(unhex('0200000000')).option('x', (r) => r.u32('x'))); // count 2
    protocolError(() => new Reader(unhex('0100')).b0_64k('x'));
    protocolError(() => new Reader(unhex('ffffff')).b0_16m('x'));
    const trailing = new Reader(unhex('0100'), 'Msg');
    trailing.u8('a');
    expect(protocolError(() => trailing.finish()).field).toBe('Msg.end');
  });

  it('checks a sequence count against the bytes remaining before allocating', () => {
    // 65,535 U32 elements claimed, 3 bytes present.
    const e = protocolError(() => new Reader(unhex('ffff 000000')).seq0_64k('ids', 4, (r) => r.u32('ids')));
    expect(e.message).toContain('65535 element(s) need at least 262140 byte(s), 3 left');
  });
});
