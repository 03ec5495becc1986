import { describe, expect, it } from 'vitest';
import { mainnetBlockRaw, mainnetMultiTx } from './testing/fixtures/index.js';
import { headerFromJson, powHashOf } from './header.js';
import { bytesToHex, hexToBytes } from './hex.js';
import { checkHeaderPow, meetsTarget, powOutput, verifyPow } from './pow.js';
import { compactToTarget, targetToBytesBE } from './target.js';

const BLANK_HASH = hexToBytes('0x44f4c69744d5f8c55d642062949dcae49bc4e7ef43d388c5a12f42b5633d163e');

describe('Eaglesong PoW as ckb-pow verifies it', () => {
  it('pow_message vector: BLANK_HASH with nonce u128::MAX and 0', () => {
    expect(bytesToHex(powOutput(BLANK_HASH, (1n << 128n) - 1n))).toBe(
      '0xdb837556845149b9cc0c90e6f005bfe1863bbf69cba9526bef256f969c693933',
    );
    expect(bytesToHex(powOutput(BLANK_HASH, 0n))).toBe(
      '0x3e6f6bad2a301b144dec618c4e97d18bb1de05035c8db80ef236b16e5b0c8d1e',
    );
  });

  it('testnet EaglesongBlake2b: ckbhash of the Eaglesong output (digest §1.7 vector)', () => {
    expect(bytesToHex(powOutput(BLANK_HASH, (1n << 128n) - 1n, 'EaglesongBlake2b'))).toBe(
      '0x8b9b439db945719b57aeb7ed2c4bf4b6a07dd31c425b01362d39585de58fcdc5',
    );
    const header = headerFromJson(mainnetBlockRaw().header);
    expect(checkHeaderPow(header, 'EaglesongBlake2b').meets).toBe(false); // a mainnet block is not a testnet one
  });

  it.each([
    ['#19804416', mainnetBlockRaw, '0x0000000000000008fab086f7d9c9e61eb449811e8375be1ced71abf813631e87'],
    ['#19804274', mainnetMultiTx, undefined],
  ])('mainnet %s meets its target', (_name, load, output) => {
    const header = headerFromJson(load().header);
    const check = checkHeaderPow(header);
    if (output) expect(bytesToHex(check.output)).toBe(output);
    expect(check.output.subarray(0, 7)).toEqual(new Uint8Array(7)); // mainnet difficulty: 7 leading zero bytes
    expect(check.invalidTarget).toBe(false);
    expect(check.meets).toBe(true);
    expect(verifyPow(powHashOf(header), header.nonce, compactToTarget(header.compactTarget))).toBe(true);
  });

  it('rejects a wrong nonce and a too-small target, accepts the exact output as target', () => {
    const header = headerFromJson(mainnetBlockRaw().header);
    const powHash = powHashOf(header);
    const target = compactToTarget(header.compactTarget);
    expect(verifyPow(powHash, header.nonce + 1n, target)).toBe(false);
    const output = BigInt(bytesToHex(powOutput(powHash, header.nonce)));
    expect(verifyPow(powHash, header.nonce, output)).toBe(true); // equality passes (output <= target)
    expect(verifyPow(powHash, header.nonce, output - 1n)).toBe(false);
    expect(verifyPow(powHash, header.nonce, 0n)).toBe(false);
  });

  it('an overflowing compact target never passes', () => {
    const header = { ...headerFromJson(mainnetBlockRaw().header), compactTarget: 0xff123456 };
    expect(checkHeaderPow(header)).toMatchObject({ invalidTarget: true, meets: false });
  });

  it('meetsTarget compares big-endian integers', () => {
    const t = targetToBytesBE(0x0100n);
    expect(meetsTarget(targetToBytesBE(0xffn), t)).toBe(true);
    expect(meetsTarget(targetToBytesBE(0x100n), t)).toBe(true);
    expect(meetsTarget(targetToBytesBE(0x101n), t)).toBe(false);
  });
});
