import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { EaglesongJob, ckbPowHash, eaglesongHash } from './index.js';
import { eaglesongJs } from './testing/reference.js';
import { eaglesongWasm, wasmCandidates } from './wasm.js';

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');
const bytes = (h: string): Uint8Array => new Uint8Array(Buffer.from(h, 'hex'));

/** The official vectors file (copied from the shared research vectors). */
function officialVectors(): { input: Uint8Array; output: string }[] {
  const text = readFileSync(new URL('./vectors.txt', import.meta.url), 'utf8');
  const vectors: { input: Uint8Array; output: string }[] = [];
  let input: Uint8Array | undefined;
  for (const line of text.split('\n')) {
    const [key, value] = line.split(' = ');
    if (key === 'Input') input = bytes(value!.trim());
    if (key === 'Output') {
      vectors.push({ input: input!, output: value!.trim().toLowerCase() });
      input = undefined;
    }
  }
  return vectors;
}

/** ckb.md §1.7: 48-byte CKB messages and real mainnet blocks: pow_hash, nonce (16 LE bytes), output. */
const POW_VECTORS: [string, string, string][] = [
  [
    '44f4c69744d5f8c55d642062949dcae49bc4e7ef43d388c5a12f42b5633d163e',
    'ff'.repeat(16),
    'db837556845149b9cc0c90e6f005bfe1863bbf69cba9526bef256f969c693933',
  ],
  [
    '44f4c69744d5f8c55d642062949dcae49bc4e7ef43d388c5a12f42b5633d163e',
    '00'.repeat(16),
    '3e6f6bad2a301b144dec618c4e97d18bb1de05035c8db80ef236b16e5b0c8d1e',
  ],
  ['00'.repeat(32), '00'.repeat(16), 'fb151fe6d11f609002c075bf5ef8f5e1e2b5961c7f1ac51777e12181c6ae8483'],
  [
    'bfb4ad81b21e569f3f29a5baf77241acf0da6e4c07dd36d458311b5d82f1bbdb',
    '00'.repeat(16),
    '8e26117adfcf6aaef5da586f50923c4e68fcbc8fdbdbd845d435108cdca6a025',
  ],
  // mainnet #4191, #73380, #19804416, #19804362
  [
    '4a27fabbcfb17319ca0dbffba2fd61669211eb72c09fa98b5deba48adf50eba6',
    '73958ab20000000000000030b49f7519',
    '0000000000001a29275a8740b896829a3d01dda52f9c89080b59bfeef284e3f5',
  ],
  [
    'f5ef1543122f31e43969db37718a6b9a3c1958080f4eeabb2fe5ff22311d2934',
    '99324bbb0000000000000004379fe374',
    '000000000000228dd4f7f86f68b7defc13a73325806493fd88a03cae5ad6517c',
  ],
  [
    '701f63f31cf6f40a4f68a570738b4516cd53f9a322607ea8b36932fca37c0472',
    '201303b3070000005da1a0966532ae83',
    '0000000000000008fab086f7d9c9e61eb449811e8375be1ced71abf813631e87',
  ],
  [
    '2158e697879e405e38ef4b6483c602afd729b8b85cc0980af6c232619a9cb25a',
    '001a75c9040000000cd89ca2389382e2',
    '0000000000000005ab0bcf246ce71827a8eafad41d079218172416f6849822c5',
  ],
];

/** u256 big-endian comparison, as the node does (`U256::from_big_endian(output) <= target`). */
const meetsBigInt = (digest: Uint8Array, target: Uint8Array): boolean =>
  BigInt(`0x${hex(digest)}`) <= BigInt(`0x${hex(target)}`);

const nonceWith = (base: Uint8Array, n: number): Uint8Array => {
  const nonce = base.slice();
  new DataView(nonce.buffer).setUint32(12, n, true);
  return nonce;
};

describe('eaglesongHash', () => {
  it('matches the official vectors', () => {
    const vectors = officialVectors();
    expect(vectors).toHaveLength(8);
    for (const { input, output } of vectors) {
      expect(hex(eaglesongHash(input))).toBe(output);
      expect(hex(eaglesongJs(input))).toBe(output);
    }
  });

  it('matches the RFC and crate vectors', () => {
    const enc = (s: string) => new TextEncoder().encode(s);
    expect(hex(eaglesongHash(new Uint8Array(0)))).toBe(
      '9e4452fc7aed93d7240b7b55263792befd1be09252b456401122ba71a56f62a0',
    );
    expect(hex(eaglesongHash(enc('Hello, world!\n')))).toBe(
      '64867e2441d162615dc2430b6bcb4d3f4b95e4d0db529fca1eece73c077d72d6',
    );
    expect(hex(eaglesongHash(enc(`${'1'.repeat(34)}\n`)))).toBe(
      'a50a3310f78cbaeadcffe2d46262119eeeda9d6568b4df1b636399742c867aca',
    );
  });

  it('agrees with the JS port on random inputs of any length', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), (input) => {
        expect(hex(eaglesongHash(input))).toBe(hex(eaglesongJs(input)));
      }),
      { numRuns: 300 },
    );
  });

  it('hashes inputs larger than the wasm buffer (streamed in whole blocks)', () => {
    const big = new Uint8Array(64 * 1024 * 2 + 77).map((_, i) => (i * 7) & 0xff);
    expect(hex(eaglesongHash(big))).toBe(hex(eaglesongJs(big)));
    const exact = big.subarray(0, 64 * 1024 * 2);
    expect(hex(eaglesongHash(exact))).toBe(hex(eaglesongJs(exact)));
  });
});

describe('ckbPowHash and EaglesongJob', () => {
  it('match the CKB vectors, including real mainnet blocks', () => {
    for (const [pow, nonce, want] of POW_VECTORS) {
      expect(hex(ckbPowHash(bytes(pow), bytes(nonce)))).toBe(want);
      const job = new EaglesongJob(bytes(pow));
      expect(hex(job.hash(bytes(nonce)))).toBe(want);
      expect(job.meets(bytes(nonce), bytes(want))).toBe(true);
    }
  });

  it('mainnet block #4191 meets its compact target 0x1a2158d9 and not a lower one', () => {
    const [pow, nonce, want] = POW_VECTORS[4]!;
    const target = new Uint8Array(32);
    target.set([0x21, 0x58, 0xd9], 32 - 0x1a);
    const job = new EaglesongJob(bytes(pow));
    expect(job.meets(bytes(nonce), target)).toBe(true);
    const below = bytes(want);
    below[31]! -= 1;
    expect(job.meets(bytes(nonce), below)).toBe(false);
  });

  it('midstate hash equals the full 48-byte hash for random pow_hash and nonce', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: 32, maxLength: 32 }),
        fc.uint8Array({ minLength: 16, maxLength: 16 }),
        (pow, nonce) => {
          const full = eaglesongHash(new Uint8Array([...pow, ...nonce]));
          expect(hex(ckbPowHash(pow, nonce))).toBe(hex(full));
          const out = new Uint8Array(32);
          const job = new EaglesongJob(pow);
          expect(job.hash(nonce, out)).toBe(out);
          expect(hex(out)).toBe(hex(full));
        },
      ),
      { numRuns: 200 },
    );
  });

  it('keeps interleaved jobs apart', () => {
    const a = new EaglesongJob(bytes(POW_VECTORS[0]![0]));
    const b = new EaglesongJob(bytes(POW_VECTORS[3]![0]));
    for (let i = 0; i < 3; i++) {
      expect(hex(a.hash(bytes(POW_VECTORS[0]![1])))).toBe(POW_VECTORS[0]![2]);
      expect(hex(b.hash(bytes(POW_VECTORS[3]![1])))).toBe(POW_VECTORS[3]![2]);
      ckbPowHash(bytes(POW_VECTORS[5]![0]), bytes(POW_VECTORS[5]![1]));
    }
    a.free();
    expect(hex(a.hash(bytes(POW_VECTORS[0]![1])))).toBe(POW_VECTORS[0]![2]);
  });

  it('meets() agrees with a big-integer comparison', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: 32, maxLength: 32 }),
        fc.uint8Array({ minLength: 16, maxLength: 16 }),
        fc.uint8Array({ minLength: 32, maxLength: 32 }),
        fc.integer({ min: 0, max: 32 }),
        (pow, nonce, target, equalPrefix) => {
          const job = new EaglesongJob(pow);
          const digest = job.hash(nonce);
          // Make targets share a prefix with the digest so that later bytes decide.
          target.set(digest.subarray(0, equalPrefix));
          expect(job.meets(nonce, target)).toBe(meetsBigInt(digest, target));
        },
      ),
      { numRuns: 300 },
    );
  });

  it('rejects wrong lengths', () => {
    const job = new EaglesongJob(new Uint8Array(32));
    expect(() => new EaglesongJob(new Uint8Array(31))).toThrow(RangeError);
    expect(() => job.hash(new Uint8Array(15))).toThrow(RangeError);
    expect(() => job.hash(new Uint8Array(16), new Uint8Array(31))).toThrow(RangeError);
    expect(() => job.meets(new Uint8Array(16), new Uint8Array(33))).toThrow(RangeError);
    expect(() => ckbPowHash(new Uint8Array(32), new Uint8Array(17))).toThrow(RangeError);
  });
});

describe('EaglesongJob.search', () => {
  const pow = bytes('701f63f31cf6f40a4f68a570738b4516cd53f9a322607ea8b36932fca37c0472');
  const base = bytes('201303b3070000005da1a0966532ae83');

  function expected(job: EaglesongJob, start: number, count: number, target: Uint8Array): number[] {
    const hits: number[] = [];
    for (let n = start; n < start + count; n++)
      if (meetsBigInt(job.hash(nonceWith(base, n)), target)) hits.push(n);
    return hits;
  }

  it('returns exactly the nonces whose hash meets the target', () => {
    const job = new EaglesongJob(pow);
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 2 ** 32 - 600 }),
        fc.integer({ min: 0, max: 600 }),
        fc.integer({ min: 0, max: 255 }),
        (start, count, t0) => {
          const target = new Uint8Array(32).fill(0xff);
          target[0] = t0;
          expect(job.search(base, start, count, target)).toEqual(expected(job, start, count, target));
        },
      ),
      { numRuns: 20 },
    );
  });

  it('finds the real mainnet nonce of block #19804416', () => {
    const job = new EaglesongJob(pow);
    const target = bytes('000000000000001b3f4f' + '00'.repeat(22)); // compact 0x191b3f4f
    const real = new DataView(base.buffer).getUint32(12, true);
    expect(job.search(base, real - 1000, 2000, target)).toEqual([real]);
  });

  it('returns more hits than the wasm hit buffer holds, and reaches 2^32 - 1', () => {
    const job = new EaglesongJob(pow);
    const all = new Uint8Array(32).fill(0xff);
    const start = 2 ** 32 - 1000;
    const hits = job.search(base, start, 1000, all);
    expect(hits).toHaveLength(1000);
    expect(hits[0]).toBe(start);
    expect(hits[999]).toBe(2 ** 32 - 1);
    const half = new Uint8Array(32).fill(0xff);
    half[0] = 0x7f;
    expect(job.search(base, 5, 1500, half)).toEqual(expected(job, 5, 1500, half));
  });

  it('SIMD and scalar wasm kernels return the same hits, including the scalar tail', () => {
    const w = eaglesongWasm;
    new EaglesongJob(pow).hash(base); // loads this job's midstate into wasm memory
    w.nonce.set(base);
    w.target.fill(0xff);
    w.target[0] = 0x20;
    for (const [start, count] of [
      [0, 0],
      [7, 1],
      [1000, 3],
      [2 ** 32 - 203, 203],
      [123_456, 1001],
    ] as const) {
      const simd = Array.from(w.hits.subarray(0, w.exports.es_search(start, count)));
      const scalar = Array.from(w.hits.subarray(0, w.exports.es_search_scalar(start, count)));
      expect(simd).toEqual(scalar);
      if (count > 200) expect(simd.length).toBeGreaterThan(0);
    }
  });

  it('rejects ranges outside u32', () => {
    const job = new EaglesongJob(pow);
    const target = new Uint8Array(32);
    expect(() => job.search(base, 2 ** 32 - 1, 2, target)).toThrow(RangeError);
    expect(() => job.search(base, -1, 1, target)).toThrow(RangeError);
    expect(() => job.search(base, 0.5, 1, target)).toThrow(RangeError);
    expect(job.search(base, 2 ** 32 - 1, 0, target)).toEqual([]);
  });
});

describe('wasm loading', () => {
  it('looks next to the module, then in the source tree beside dist/', () => {
    expect(wasmCandidates('file:///repo/pool/src/eaglesong/wasm.ts')[0]).toBe(
      '/repo/pool/src/eaglesong/eaglesong.wasm',
    );
    expect(wasmCandidates('file:///repo/dist/pool/src/eaglesong/wasm.js')).toEqual([
      '/repo/dist/pool/src/eaglesong/eaglesong.wasm',
      '/repo/pool/src/eaglesong/eaglesong.wasm',
    ]);
  });
});
