import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { ccc } from '@ckb-ccc/core';
import { cccA } from '@ckb-ccc/core/advanced';
import { mainnetBlockRaw, mainnetMultiTx } from './testing/fixtures/index.js';
import { bytesToHex } from './hex.js';
import { encodeTransaction } from './molecule.js';
import type { JsonScript, JsonTransaction } from './types.js';

/** The reference: @ckb-ccc/core's molecule codec. */
function viaCcc(tx: JsonTransaction): { full: string; raw: string } {
  const parsed = cccA.JsonRpcTransformers.transactionTo(tx as never);
  return { full: ccc.hexFrom(parsed.toBytes()), raw: ccc.hexFrom(parsed.rawToBytes()) };
}

const hex = (min: number, max: number) =>
  fc.uint8Array({ minLength: min, maxLength: max }).map((b) => bytesToHex(b));
const uintHex = (max: bigint) => fc.bigInt({ min: 0n, max }).map((v) => '0x' + v.toString(16));
const script: fc.Arbitrary<JsonScript> = fc.record({
  code_hash: hex(32, 32),
  hash_type: fc.constantFrom('data', 'type', 'data1', 'data2'),
  args: hex(0, 40),
});
const outPoint = fc.record({ tx_hash: hex(32, 32), index: uintHex(0xffffffffn) });
// ccc drops reserved since bits 56-60 and metric 0b11 (invalid for a node anyway): valid flags only.
const since = fc
  .tuple(fc.bigInt({ min: 0n, max: (1n << 56n) - 1n }), fc.constantFrom(0, 1, 2, 4, 5, 6))
  .map(([value, flags]) => '0x' + (value | (BigInt(flags) << 61n)).toString(16));
// ccc also normalises what a node would not: it pads outputs_data to the outputs count and raises a capacity
// below the cell's occupied size. Generate transactions where that never triggers.
const output = fc.record({
  capacity: fc.bigInt({ min: 1n << 40n, max: (1n << 64n) - 1n }).map((v) => '0x' + v.toString(16)),
  lock: script,
  type: fc.option(script, { nil: null }),
});
const transaction: fc.Arbitrary<JsonTransaction> = fc
  .record({
    version: uintHex(0xffffffffn),
    cell_deps: fc.array(
      fc.record({ out_point: outPoint, dep_type: fc.constantFrom('code' as const, 'dep_group' as const) }),
      {
        maxLength: 3,
      },
    ),
    header_deps: fc.array(hex(32, 32), { maxLength: 2 }),
    inputs: fc.array(fc.record({ previous_output: outPoint, since }), { maxLength: 3 }),
    cells: fc.array(fc.tuple(output, hex(0, 40)), { maxLength: 3 }),
    witnesses: fc.array(hex(0, 100), { maxLength: 3 }),
  })
  .map(({ cells, ...tx }) => ({
    ...tx,
    outputs: cells.map(([o]) => o),
    outputs_data: cells.map(([, d]) => d),
  }));

describe('transaction molecule encoding', () => {
  it('matches @ckb-ccc/core on the mainnet fixtures', () => {
    for (const tx of [...mainnetBlockRaw().transactions, ...mainnetMultiTx().transactions]) {
      const { full, raw } = encodeTransaction(tx);
      expect({ full: bytesToHex(full), raw: bytesToHex(raw) }).toEqual(viaCcc(tx));
    }
  });

  it('matches @ckb-ccc/core on random transactions', () => {
    fc.assert(
      fc.property(transaction, (tx) => {
        const { full, raw } = encodeTransaction(tx);
        expect({ full: bytesToHex(full), raw: bytesToHex(raw) }).toEqual(viaCcc(tx));
      }),
      { numRuns: 200 },
    );
  });

  it('rejects malformed fields with CkbHexError', () => {
    const tx = mainnetBlockRaw().transactions[0]!;
    expect(() => encodeTransaction({ ...tx, witnesses: ['0xzz'] })).toThrow(/invalid hex/);
    expect(() => encodeTransaction({ ...tx, version: '0x100000000' })).toThrow(/32 bits/);
    expect(() => encodeTransaction({ ...tx, header_deps: ['0x00'] })).toThrow(/32 bytes/);
    const output = { ...tx.outputs[0]!, lock: { ...tx.outputs[0]!.lock, hash_type: 'bogus' as never } };
    expect(() => encodeTransaction({ ...tx, outputs: [output] })).toThrow(/hash_type/);
  });
});
