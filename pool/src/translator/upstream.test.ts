import { describe, expect, it } from 'vitest';
import { identityTlvFor } from './upstream.js';

describe('identityTlvFor: which TLV names a worker, given what the pool accepted', () => {
  const short = 'dan.rig7';
  const address = 'ckb1qyq2znu0gempdahctxsm49sa9jdzq9vnka7qt9ntff.rig9'; // 50 bytes

  it('uses 0x0002 for names of up to 32 bytes, 0x4e01 (Eaglepool) for longer ones', () => {
    expect(identityTlvFor(short, true, true)).toBe('userIdentity');
    expect(identityTlvFor('x'.repeat(32), true, true)).toBe('userIdentity');
    expect(identityTlvFor('x'.repeat(33), true, true)).toBe('longUserIdentity');
    expect(identityTlvFor(address, true, true)).toBe('longUserIdentity');
    expect(identityTlvFor('x'.repeat(255), true, true)).toBe('longUserIdentity');
  });

  it('has nothing for a pool that accepted neither, or for names no accepted TLV can carry', () => {
    expect(identityTlvFor(short, false, false)).toBeUndefined();
    expect(identityTlvFor(address, true, false)).toBeUndefined(); // an SRI pool: 0x0002 only
    expect(identityTlvFor('x'.repeat(256), true, true)).toBeUndefined();
    expect(identityTlvFor(short, false, true)).toBe('longUserIdentity');
  });

  it('counts UTF-8 bytes, not characters', () => {
    expect(identityTlvFor('é'.repeat(16), true, false)).toBe('userIdentity'); // 32 bytes
    expect(identityTlvFor('é'.repeat(17), true, false)).toBeUndefined(); // 34 bytes
  });
});
