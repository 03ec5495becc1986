import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { NONCE_BYTES } from '../mining/nonce.js';
import { ExtranonceAllocator, STANDARD_PREFIX_BYTES } from './extranonce.js';

/** True when one byte string is a prefix of the other (their nonce spaces overlap). */
function overlaps(a: Uint8Array, b: Uint8Array): boolean {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return false;
  return true;
}

describe('ExtranonceAllocator', () => {
  it('gives standard channels 8-byte prefixes and extended channels prefix + extranonce + 4 = 16', () => {
    for (const id of [Uint8Array.of(7), Uint8Array.of(1, 2)]) {
      const alloc = new ExtranonceAllocator(id);
      const std = alloc.allocateStandard()!;
      expect(std.prefix.length).toBe(STANDARD_PREFIX_BYTES);
      const ext = alloc.allocateExtended(0);
      if (typeof ext === 'string') throw new Error(ext);
      expect(ext.prefix.length).toBeGreaterThanOrEqual(4);
      expect(ext.prefix.length + ext.extranonceSize + 4).toBe(NONCE_BYTES);
      expect([...std.prefix.subarray(0, id.length)]).toEqual([...id]);
      expect([...ext.prefix.subarray(0, id.length)]).toEqual([...id]);
    }
  });

  it('refuses an extranonce size it cannot offer', () => {
    const alloc = new ExtranonceAllocator(Uint8Array.of(1));
    expect(alloc.allocateExtended(alloc.extendedExtranonceSize + 1)).toBe('min-extranonce-size-too-large');
    expect(typeof alloc.allocateExtended(alloc.extendedExtranonceSize)).toBe('object');
  });

  it('rejects replica ids of other lengths', () => {
    expect(() => new ExtranonceAllocator(new Uint8Array(0))).toThrow(RangeError);
    expect(() => new ExtranonceAllocator(new Uint8Array(3))).toThrow(RangeError);
  });

  it('never hands out overlapping nonce spaces across kinds, replicas and releases', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.integer({ min: 0, max: 255 }), { minLength: 1, maxLength: 3 }),
        fc.array(fc.tuple(fc.integer({ min: 0, max: 2 }), fc.nat(), fc.boolean()), { maxLength: 60 }),
        (replicaIds, ops) => {
          const replicas = replicaIds.map((id) => new ExtranonceAllocator(Uint8Array.of(id)));
          const open: { replica: number; counter: number; prefix: Uint8Array }[] = [];
          for (const [kind, pick, release] of ops) {
            const r = pick % replicas.length;
            const alloc = replicas[r]!;
            if (release && open.length > 0) {
              const [gone] = open.splice(pick % open.length, 1);
              replicas[gone!.replica]!.release(gone!.counter);
              continue;
            }
            const got = kind === 0 ? alloc.allocateStandard() : alloc.allocateExtended(kind === 1 ? 0 : 8);
            if (got === undefined || typeof got === 'string') throw new Error('allocation failed');
            // A standard prefix's zero padding is not search space: compare the core bytes only.
            const core = got.prefix.subarray(0, alloc.corePrefixBytes);
            for (const other of open) expect(overlaps(core, other.prefix)).toBe(false);
            open.push({ replica: r, counter: got.counter, prefix: core });
          }
        },
      ),
    );
  });

  it('reuses released counters only after wrapping', () => {
    const alloc = new ExtranonceAllocator(Uint8Array.of(9));
    const a = alloc.allocateStandard()!;
    alloc.release(a.counter);
    const b = alloc.allocateStandard()!;
    expect(b.counter).not.toBe(a.counter);
    expect(alloc.size).toBe(1);
  });
});
