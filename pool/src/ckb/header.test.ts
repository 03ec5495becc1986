import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { extraHashOf, proposalsHashOf, transactionsRootOf, txHashes, unclesHashOf } from './block.js';
import { mainnetBlockRaw, mainnetMultiTx } from './testing/fixtures/index.js';
import {
  headerFromJson,
  headerHashOf,
  headerToJson,
  nonceFromBytes,
  nonceToBytes,
  packEpoch,
  powHashOf,
  serializeRawHeader,
  unpackEpoch,
} from './header.js';
import { bytesToHex } from './hex.js';
import { ckbHash } from './hash.js';

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');

describe('ckbhash', () => {
  it('BLANK_HASH', () => {
    expect(hex(ckbHash(new Uint8Array(0)))).toBe(
      '44f4c69744d5f8c55d642062949dcae49bc4e7ef43d388c5a12f42b5633d163e',
    );
  });
});

describe('header serialization and hashes', () => {
  it('serializes mainnet #4191 (RFC 0023) to the known 192-byte RawHeader', () => {
    const h = headerFromJson({
      compact_target: '0x1a2158d9',
      dao: '0x8268d571c743a32ee1e547ea57872300989ceafa3e710000005d6a650b53ff06',
      epoch: '0x68d0288000002',
      extra_hash: '0x' + '00'.repeat(32),
      nonce: '0x19759fb43000000000000000b28a9573',
      number: '0x105f',
      parent_hash: '0x36990fe91a0ee3755fd6faaa2563349425b56319f06aa70d2846af47e3132262',
      proposals_hash: '0x' + '00'.repeat(32),
      timestamp: '0x16e80172dbf',
      transactions_root: '0x66866dcfd5426b2bfeecb3cf4ff829d353364b847126b2e8d2ce8f8aecd28fb8',
      version: '0x0',
    });
    expect(hex(serializeRawHeader(h))).toBe(
      '00000000d958211abf2d17806e0100005f1000000000000002000088028d060036990fe91a0ee3755fd6faaa2563349425b56319f06aa70d2846af47e313226266866dcfd5426b2bfeecb3cf4ff829d353364b847126b2e8d2ce8f8aecd28fb8' +
        '00'.repeat(64) +
        '8268d571c743a32ee1e547ea57872300989ceafa3e710000005d6a650b53ff06',
    );
    expect(hex(powHashOf(h))).toBe('4a27fabbcfb17319ca0dbffba2fd61669211eb72c09fa98b5deba48adf50eba6');
    expect(bytesToHex(headerHashOf(h))).toMatch(/^0x37ef8cf2[0-9a-f]{52}c3bc$/); // RFC 0023 shows the hash abbreviated
  });

  it.each([
    ['#19804416', mainnetBlockRaw, '701f63f31cf6f40a4f68a570738b4516cd53f9a322607ea8b36932fca37c0472'],
    ['#19804274', mainnetMultiTx, '3b9780579b361eb14e0c7f445136a806bec09794b2d991097dc83ff1f43bfe41'],
  ])('mainnet %s: pow_hash and block hash', (_name, load, powHash) => {
    const block = load();
    const h = headerFromJson(block.header);
    expect(hex(powHashOf(h))).toBe(powHash);
    expect(bytesToHex(headerHashOf(h))).toBe(block.header.hash);
    const { hash: _hash, ...json } = block.header;
    expect(headerToJson(h)).toEqual(json);
  });

  it('nonce bytes are the u128 little-endian (real block #19804416)', () => {
    const nonce = 0x83ae326596a0a15d00000007b3031320n;
    expect(hex(nonceToBytes(nonce))).toBe('201303b3070000005da1a0966532ae83');
    expect(nonceFromBytes(nonceToBytes(nonce))).toBe(nonce);
    fc.assert(
      fc.property(
        fc.bigInt({ min: 0n, max: (1n << 128n) - 1n }),
        (n) => nonceFromBytes(nonceToBytes(n)) === n,
      ),
    );
    expect(() => nonceToBytes(1n << 128n)).toThrow(RangeError);
  });

  it('epoch number with fraction', () => {
    // mainnet #19804416 epoch 0x6aa02980038b6: epoch 14518, index 0x298 of length 0x6aa
    expect(unpackEpoch(0x6aa02980038b6n)).toEqual({ number: 0x38b6n, index: 0x298, length: 0x6aa });
    expect(packEpoch({ number: 0x38b6n, index: 0x298, length: 0x6aa })).toBe(0x6aa02980038b6n);
    expect(() => packEpoch({ number: 1n, index: 10, length: 10 })).toThrow(RangeError);
  });
});

describe('body commitments against mainnet blocks', () => {
  it.each([
    ['#19804416', mainnetBlockRaw],
    ['#19804274', mainnetMultiTx],
  ])('%s: tx hashes, transactions_root, proposals_hash, extra_hash', (_name, load) => {
    const block = load();
    const hashes = block.transactions.map((tx) => txHashes(tx));
    hashes.forEach((h, i) => expect(bytesToHex(h.txHash)).toBe(block.transactions[i]!.hash));
    expect(bytesToHex(transactionsRootOf(hashes))).toBe(block.header.transactions_root);
    expect(bytesToHex(proposalsHashOf(block.proposals))).toBe(block.header.proposals_hash);
    const unclesHash = unclesHashOf(block.uncles.map((u) => u.header));
    expect(bytesToHex(extraHashOf(unclesHash, block.extension))).toBe(block.header.extra_hash);
  });

  it('intermediates of #19804416 (digest §1.7)', () => {
    const block = mainnetBlockRaw();
    const { witnessHash } = txHashes(block.transactions[0]!);
    expect(hex(witnessHash)).toBe('5821315a44dec196a16a7135d7bb627d251aeed3fba78255b51b1dc07a65e185');
  });

  it('proposals hash of [01×10, 02×10] (ckb calc_hash.rs test)', () => {
    expect(hex(proposalsHashOf(['0x' + '01'.repeat(10), '0x' + '02'.repeat(10)]))).toBe(
      'd1670e45af1deb9cc00951d71c09ce80932e7ddf9fb151d744436bd04ac4a562',
    );
  });
});
