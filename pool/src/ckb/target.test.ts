import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  bytesBEToTarget,
  compactToDifficulty,
  compactToTarget,
  CkbTargetError,
  decodeCompact,
  difficultyToCompact,
  difficultyToTarget,
  targetToBytesBE,
  targetToCompact,
  targetToDifficulty,
  targetToU256LE,
  u256LEToTarget,
} from './target.js';

const U256_MAX = (1n << 256n) - 1n;

describe('compact target (ckb-types utilities/difficulty.rs vectors)', () => {
  it('target_to_compact', () => {
    expect(targetToCompact(1n)).toBe(0x01010000);
    expect(targetToCompact(U256_MAX)).toBe(0x20ffffff);
    expect(targetToCompact(0xfen)).toBe(0x1fe0000);
    expect(targetToCompact(0n)).toBe(0);
  });

  it('compact_to_target', () => {
    expect(compactToTarget(0x1020000)).toBe(0x2n);
    expect(compactToTarget(0x2123456)).toBe(0x1234n);
    expect(compactToTarget(0x3123456)).toBe(0x123456n);
    expect(compactToTarget(0x1803456)).toBe(0x80n);
    expect(compactToTarget(0x4800000)).toBe(0x80000000n);
    expect(compactToTarget(0x20010000)).toBe(1n << 248n); // dev.toml genesis
  });

  it('flags overflow like the node', () => {
    expect(decodeCompact(0xff123456).overflow).toBe(true);
    expect(() => compactToTarget(0xff123456)).toThrow(CkbTargetError);
    expect(decodeCompact(0x21000000).overflow).toBe(false); // zero mantissa never overflows
    expect(compactToDifficulty(0xff123456)).toBe(0n);
  });

  it('difficulty', () => {
    expect(targetToDifficulty(1n)).toBe(U256_MAX);
    expect(difficultyToTarget(1n)).toBe(U256_MAX);
    expect(compactToDifficulty(0x20ffffff)).toBe(1n);
    expect(compactToDifficulty(0x20010000)).toBe(256n);
    expect(compactToDifficulty(0x191b3f4f)).toBe(677011836738086282n); // mainnet 2026
    expect(difficultyToCompact(256n)).toBe(0x20010000);
    expect(difficultyToCompact(2n)).toBe(0x20800000); // DIFF_TWO
    expect(() => targetToDifficulty(0n)).toThrow(CkbTargetError);
  });

  it('compact round-trips through target for every normalised compact', () => {
    fc.assert(
      fc.property(fc.integer({ min: 4, max: 32 }), fc.integer({ min: 0x010000, max: 0xffffff }), (e, m) => {
        const compact = ((e << 24) | m) >>> 0;
        expect(targetToCompact(compactToTarget(compact))).toBe(compact);
      }),
    );
  });
});

describe('target byte forms', () => {
  // One value through every representation: mainnet compact 0x191b3f4f.
  const target = compactToTarget(0x191b3f4f);
  const beHex = '0000000000000' + '01b3f4f'.padEnd(51, '0');

  it('big-endian bytes, SV2 U256 little-endian, and back', () => {
    expect(target.toString(16).padStart(64, '0')).toBe(beHex);
    const be = targetToBytesBE(target);
    expect(Buffer.from(be).toString('hex')).toBe(beHex);
    const le = targetToU256LE(target);
    expect(Buffer.from(le).toString('hex')).toBe(Buffer.from(be).reverse().toString('hex'));
    expect(le[24]).toBe(0x1b); // most significant non-zero byte sits near the end in LE
    expect(bytesBEToTarget(be)).toBe(target);
    expect(u256LEToTarget(le)).toBe(target);
    expect(targetToCompact(u256LEToTarget(le))).toBe(0x191b3f4f);
  });

  it('round-trips any u256', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 32, maxLength: 32 }), (bytes) => {
        const t = bytesBEToTarget(bytes);
        expect(targetToBytesBE(t)).toEqual(bytes);
        expect(u256LEToTarget(targetToU256LE(t))).toBe(t);
        expect(u256LEToTarget(Uint8Array.from(bytes).reverse())).toBe(t);
      }),
    );
  });

  it('rejects wrong lengths and out-of-range values', () => {
    expect(() => bytesBEToTarget(new Uint8Array(31))).toThrow(CkbTargetError);
    expect(() => targetToBytesBE(1n << 256n)).toThrow(CkbTargetError);
    expect(() => targetToBytesBE(-1n)).toThrow(CkbTargetError);
  });
});
