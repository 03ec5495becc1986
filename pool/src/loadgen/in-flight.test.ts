import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { InFlight } from './in-flight.js';

interface Settled {
  intended: number;
  sent: number;
  accepted: boolean;
  reason: string | undefined;
}

function ring(capacity: number) {
  const settled: Settled[] = [];
  const inFlight = new InFlight(capacity, {
    settled: (intended, sent, accepted, reason) => settled.push({ intended, sent, accepted, reason }),
  });
  return { inFlight, settled };
}

describe('InFlight', () => {
  it('settles cumulative acknowledgements oldest first, at most `count`, never twice', () => {
    const { inFlight, settled } = ring(8);
    for (let i = 0; i < 5; i++) expect(inFlight.add(i, i + 0.5)).toBe(i);
    inFlight.acceptUpTo(2, 3);
    expect(settled.map((s) => s.intended)).toEqual([0, 1, 2]);
    expect(settled[0]).toEqual({ intended: 0, sent: 0.5, accepted: true, reason: undefined });
    inFlight.acceptUpTo(2, 3); // repeated: nothing left up to 2
    expect(settled).toHaveLength(3);
    expect(inFlight.size).toBe(2);
    expect(inFlight.span).toBe(2);
  });

  it('answers single shares out of order (an error before the batch that precedes it)', () => {
    const { inFlight, settled } = ring(4);
    for (let i = 0; i < 3; i++) inFlight.add(i, i);
    expect(inFlight.answer(2, false, 'stale-share')).toBe(true);
    expect(inFlight.answer(2, false, 'stale-share')).toBe(false);
    expect(inFlight.span).toBe(3); // 0 and 1 still open
    inFlight.acceptUpTo(2, 2);
    expect(settled.map((s) => [s.intended, s.accepted, s.reason])).toEqual([
      [2, false, 'stale-share'],
      [0, true, undefined],
      [1, true, undefined],
    ]);
    expect(inFlight.span).toBe(0);
    expect(inFlight.answer(7, true)).toBe(false); // never sent
  });

  it('takes a corrected send time while in flight, not after', () => {
    const { inFlight, settled } = ring(2);
    const seq = inFlight.add(10, 10);
    inFlight.setSent(seq, 10.25);
    inFlight.acceptUpTo(seq, 1);
    inFlight.setSent(seq, 99);
    expect(settled[0]!.sent).toBe(10.25);
  });

  it('refuses more than its capacity in flight and reuses slots once settled', () => {
    const { inFlight } = ring(3); // rounded up to 4
    expect(inFlight.capacity).toBe(4);
    for (let i = 0; i < 4; i++) inFlight.add(i, i);
    expect(() => inFlight.add(4, 4)).toThrow(RangeError);
    inFlight.acceptUpTo(0, 1);
    expect(inFlight.add(4, 4)).toBe(4);
  });

  it('handles u32 sequence wrap-around', () => {
    const { inFlight, settled } = ring(4);
    // Move the ring to just below 2^32 by adding and settling.
    const internal = inFlight as unknown as { oldest: number; nextSeq: number };
    internal.oldest = internal.nextSeq = 2 ** 32 - 2;
    const seqs = [inFlight.add(0, 0), inFlight.add(1, 1), inFlight.add(2, 2)];
    expect(seqs).toEqual([2 ** 32 - 2, 2 ** 32 - 1, 0]);
    inFlight.acceptUpTo(0, 3);
    expect(settled).toHaveLength(3);
  });

  it('matches a Map-based model under random acknowledgements', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.oneof(
            fc.constant({ op: 'add' as const }),
            fc.record({ op: fc.constant('ack' as const), back: fc.nat(10), count: fc.nat(5) }),
            fc.record({ op: fc.constant('err' as const), back: fc.nat(10) }),
          ),
          { maxLength: 200 },
        ),
        (ops) => {
          const { inFlight, settled } = ring(16);
          const model = new Map<number, number>();
          const modelSettled: number[] = [];
          let next = 0;
          for (const o of ops) {
            if (o.op === 'add') {
              if (inFlight.span >= 16) continue;
              inFlight.add(next, next);
              model.set(next, next);
              next++;
            } else if (o.op === 'ack') {
              const last = next - 1 - o.back;
              if (last < 0) continue;
              inFlight.acceptUpTo(last, o.count);
              let n = o.count;
              for (const [seq] of model) {
                if (seq > last || n === 0) break;
                model.delete(seq);
                modelSettled.push(seq);
                n--;
              }
            } else {
              const seq = next - 1 - o.back;
              if (seq < 0) continue;
              inFlight.answer(seq, false, 'x');
              if (model.delete(seq)) modelSettled.push(seq);
            }
          }
          expect(settled.map((s) => s.intended)).toEqual(modelSettled);
          expect(inFlight.size).toBe(model.size);
        },
      ),
    );
  });
});
