import { describe, expect, it } from 'vitest';
import { identityError } from './identity.js';

describe('identityError', () => {
  it('accepts CKB addresses with or without a worker', () => {
    const address =
      'ckb1qzda0cr08m85hc8jlnfp3zer7xulejywt49kt2rr0vthywaa50xwsqwgx292hnvmn68xf779vmzrshpmm6epn4c0cgwga';
    for (const name of [address, `${address}.rig1`, `${address}.rack-3.slot_7`, 'alice', 'x.y'])
      expect(identityError(name)).toBeUndefined();
  });

  it('names what is wrong with the rest', () => {
    expect(identityError('')).toBe('empty user name');
    expect(identityError('ev\0il.rig')).toMatch(/printable/);
    expect(identityError('bob.\u202erig')).toMatch(/printable/);
    expect(identityError('bob rig')).toMatch(/printable/);
    expect(identityError('.rig1')).toMatch(/no account/);
    expect(identityError('a'.repeat(129))).toMatch(/longer than 128/);
    expect(identityError('bob/evil.rig')).toMatch(/letters, digits/);
    expect(identityError(`bob.${'w'.repeat(65)}`)).toMatch(/longer than 64/);
  });
});
