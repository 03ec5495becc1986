import { describe, expect, it } from 'vitest';
import { ago, ckb, count, hashrate, shortHash } from './format.js';

describe('dashboard formatting', () => {
  it('scales hash rates', () => {
    expect(hashrate(0)).toBe('0 H/s');
    expect(hashrate(999)).toBe('999 H/s');
    expect(hashrate(312_345)).toBe('312 kH/s');
    expect(hashrate(1_234_567)).toBe('1.23 MH/s');
    expect(hashrate(45_600_000_000)).toBe('45.6 GH/s');
  });
  it('says how long ago', () => {
    expect(ago(0, 1e6)).toBe('never');
    expect(ago(1_000_000 - 12_000, 1_000_000)).toBe('12 s ago');
    expect(ago(1_000_000 - 5 * 60_000, 1_000_000)).toBe('5 min ago');
    expect(ago(10_000_000 - 3 * 3_600_000, 10_000_000)).toBe('3 h ago');
  });
  it('prints shannons as CKB exactly', () => {
    expect(ckb('0')).toBe('0 CKB');
    expect(ckb('100000000')).toBe('1 CKB');
    expect(ckb('123456789012')).toBe('1,234.56789012 CKB');
    expect(ckb('99999999999999999999')).toBe('999,999,999,999.99999999 CKB');
  });
  it('shortens hashes and counts', () => {
    expect(shortHash(`0x${'ab'.repeat(32)}`)).toBe('0xababab…ababab');
    expect(shortHash('0x12')).toBe('0x12');
    expect(count(1234)).toBe('1,234');
    expect(count(2_500_000)).toBe('2.5 M');
  });
});
