/**
 * CKB chain layer: template → work (header build + pow_hash), the pow_hash hash alone (blake2b of the
 * 192-byte RawHeader, @noble/hashes directly vs @ckb-ccc/core's hex-returning hashCkb), and verifyPow.
 */
import { ccc } from '@ckb-ccc/core';
import { mainnetBlockRaw, mainnetMultiTx } from '../src/ckb/testing/fixtures/index.js';
import { templateFromBlock } from '../src/ckb/testing/fixtures/template.js';
import { powHashOf, serializeRawHeader } from '../src/ckb/header.js';
import { hexToUint } from '../src/ckb/hex.js';
import { ckbHash } from '../src/ckb/hash.js';
import { verifyPow, workFromTemplate } from '../src/ckb/work.js';
import { fmt, measureRate, table } from './measure.js';
import type { BenchSection, Rate } from './measure.js';

export default async function bench(): Promise<BenchSection> {
  const single = templateFromBlock(mainnetBlockRaw());
  const multi = templateFromBlock(mainnetMultiTx());
  // 100 transactions (the fixture's 3 repeated): what a busy mainnet template looks like.
  const busy = { ...multi, transactions: Array.from({ length: 100 }, (_, i) => multi.transactions[i % 3]!) };
  const work = workFromTemplate(single);
  const header = work.header;
  const raw = serializeRawHeader(header);
  const nonce = hexToUint(mainnetBlockRaw().header.nonce, 128);

  let sink = 0;
  const rows: [string, Rate][] = [
    [
      'workFromTemplate, cellbase-only template (mainnet #19804416)',
      measureRate(
        (n) => {
          for (let i = 0; i < n; i++) sink ^= workFromTemplate(single).powHash[0]!;
        },
        { batch: 50 },
      ),
    ],
    [
      'workFromTemplate, 4-transaction template (mainnet #19804274)',
      measureRate(
        (n) => {
          for (let i = 0; i < n; i++) sink ^= workFromTemplate(multi).powHash[0]!;
        },
        { batch: 20 },
      ),
    ],
    [
      'workFromTemplate, 100-transaction template',
      measureRate(
        (n) => {
          for (let i = 0; i < n; i++) sink ^= workFromTemplate(busy).powHash[0]!;
        },
        { batch: 2, rounds: 3 },
      ),
    ],
    [
      'pow_hash of a built header (serialize + blake2b, @noble/hashes)',
      measureRate((n) => {
        for (let i = 0; i < n; i++) sink ^= powHashOf(header)[0]!;
      }),
    ],
    [
      'blake2b-256 of 192 bytes, @noble/hashes (ckbHash)',
      measureRate((n) => {
        for (let i = 0; i < n; i++) sink ^= ckbHash(raw)[0]!;
      }),
    ],
    [
      'blake2b-256 of 192 bytes, @ckb-ccc/core hashCkb (returns hex)',
      measureRate((n) => {
        for (let i = 0; i < n; i++) sink ^= ccc.hashCkb(raw).charCodeAt(2);
      }),
    ],
    [
      'verifyPow (Eaglesong WASM, full 2-block absorb + compare)',
      measureRate((n) => {
        for (let i = 0; i < n; i++) sink ^= verifyPow(work.powHash, nonce, work.target) ? 1 : 0;
      }),
    ],
  ];
  if (sink === 0x1234567) console.log(sink);
  const markdown = [
    table(
      ['operation', 'ops/s', 'µs/op'],
      rows.map(([name, r]) => [name, fmt(r.perSecond), fmt(r.nsPerOp / 1000, 2)]),
    ),
    '',
    'workFromTemplate parses every transaction with @ckb-ccc/core (molecule encode, tx and witness',
    'hashes), builds the CBMT roots and hashes the RawHeader; it runs once per template (about once a',
    'second), so its cost is not on the share path. verifyPow is what the block maker / devnet does per',
    'submitted block; the share path uses EaglesongJob (midstate) instead.',
  ].join('\n');
  return { title: 'CKB chain layer', markdown };
}
