import { describe, expect, it } from 'vitest';
import { decodeAddress, payoutAddressError } from './address.js';

// The secp256k1-blake160 address of private key 0x11…11 (ccc SignerCkbPrivateKey), both networks.
const TESTNET =
  'ckt1qzda0cr08m85hc8jlnfp3zer7xulejywt49kt2rr0vthywaa50xwsq0efx5ueqldalx4sr4n7rem4cv8cngq3kcyk4ydl';
const MAINNET =
  'ckb1qzda0cr08m85hc8jlnfp3zer7xulejywt49kt2rr0vthywaa50xwsq0efx5ueqldalx4sr4n7rem4cv8cngq3kc2y7t88';

describe('payout addresses', () => {
  it('decodes a full address of the pool network, with its lock args length', () => {
    expect(decodeAddress(TESTNET, 'testnet')).toEqual({ lockArgsBytes: 20 });
    expect(decodeAddress(MAINNET, 'mainnet')).toEqual({ lockArgsBytes: 20 });
  });

  it('names the problem: other network, bad checksum, not an address', () => {
    expect(payoutAddressError(`${MAINNET}.rig`, 'testnet')).toMatch(/ckb address, the pool pays ckt/);
    expect(payoutAddressError(`${TESTNET.slice(0, -1)}q.rig`, 'testnet')).toMatch(/not a CKB address/);
    expect(payoutAddressError('alice.rig1', 'mainnet')).toMatch(/not a CKB address/);
    expect(payoutAddressError(`${TESTNET}.rig1`, 'testnet')).toBeUndefined();
  });
});
