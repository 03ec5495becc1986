import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { bytesBEToTarget, targetToBytesBE } from '../ckb/target.js';
import {
  DIFF1_2P224,
  DIFF1_2P256,
  difficultyOf,
  hashMeetsTarget,
  shareTarget,
  targetForDifficulty,
  targetFromHex,
} from './target.js';

const MAX = (1n << 256n) - 1n;
const u256 = fc.bigInt({ min: 1n, max: MAX });

describe('share targets', () => {
  it('hashMeetsTarget compares the integers the big-endian bytes stand for', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: MAX }), u256, (h, t) => {
        expect(hashMeetsTarget(targetToBytesBE(h), targetToBytesBE(t))).toBe(h <= t);
      }),
    );
  });

  it('converts difficulties in both units (2^256 and 2^224 per difficulty 1)', () => {
    expect(targetForDifficulty(256, DIFF1_2P256)).toBe(1n << 248n);
    expect(targetForDifficulty(2 ** -24, DIFF1_2P224)).toBe(1n << 248n);
    expect(difficultyOf(1n << 248n, DIFF1_2P224)).toBe(2 ** -24);
    expect(targetForDifficulty(0, DIFF1_2P256)).toBeUndefined();
    expect(targetForDifficulty(Number.NaN, DIFF1_2P256)).toBeUndefined();
    expect(targetForDifficulty(1e-30, DIFF1_2P256)).toBe(MAX); // never past u256
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 60 }), (k) => {
        const t = targetForDifficulty(2 ** k, DIFF1_2P256)!;
        expect(t).toBe(1n << BigInt(256 - k) > MAX ? MAX : 1n << BigInt(256 - k));
      }),
    );
  });

  it('reads 64 hex digits in either byte order; zero and bad hex are unusable', () => {
    fc.assert(
      fc.property(u256, (t) => {
        const be = Buffer.from(targetToBytesBE(t)).toString('hex');
        const le = Buffer.from(be, 'hex').reverse().toString('hex');
        expect(targetFromHex(be, true)).toBe(t);
        expect(targetFromHex(`0x${le}`, false)).toBe(t);
      }),
    );
    expect(targetFromHex('00'.repeat(32), true)).toBeUndefined();
    expect(targetFromHex('zz'.repeat(32), true)).toBeUndefined();
    expect(targetFromHex('ff'.repeat(31), true)).toBeUndefined();
  });

  it('shareTarget carries the big-endian bytes and the credit 2^256 / target', () => {
    const s = shareTarget(1n << 240n);
    expect(bytesBEToTarget(s.targetBE)).toBe(1n << 240n);
    expect(s.difficulty).toBe(65536n);
  });
});
