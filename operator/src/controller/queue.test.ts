import { afterEach, describe, expect, it, vi } from 'vitest';
import { WorkQueue } from './queue.js';

afterEach(() => vi.useRealTimers());

const deferred = () => {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
};

describe('WorkQueue', () => {
  it('deduplicates queued keys and never runs one key twice at once', async () => {
    const gate = deferred();
    const calls: string[] = [];
    let concurrentA = 0;
    let maxConcurrentA = 0;
    const q = new WorkQueue(
      async (key) => {
        calls.push(key);
        if (key === 'a') {
          maxConcurrentA = Math.max(maxConcurrentA, ++concurrentA);
          if (calls.length === 1) await gate.promise;
          concurrentA--;
        }
      },
      { concurrency: 1 },
    );
    q.add('a');
    q.add('a'); // a is running: re-run once afterwards
    q.add('a');
    q.add('b'); // waits behind a (concurrency 1): queued once
    q.add('b');
    gate.resolve();
    await q.idle();
    await q.idle();
    expect(calls.filter((k) => k === 'a')).toHaveLength(2);
    expect(calls.filter((k) => k === 'b')).toHaveLength(1);
    expect(maxConcurrentA).toBe(1);
  });

  it('retries a failing key with exponential backoff, reset on success', async () => {
    vi.useFakeTimers();
    let attempts = 0;
    const errors: string[] = [];
    const q = new WorkQueue(
      async () => {
        attempts++;
        if (attempts < 4) throw new Error(`fail ${attempts}`);
      },
      { baseDelayMs: 100, maxDelayMs: 250, onError: (_k, e) => errors.push((e as Error).message) },
    );
    expect([1, 2, 3, 4, 10].map((n) => q.backoffMs(n))).toEqual([100, 200, 250, 250, 250]);
    q.add('k');
    await vi.advanceTimersByTimeAsync(0);
    expect(attempts).toBe(1);
    await vi.advanceTimersByTimeAsync(99);
    expect(attempts).toBe(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(attempts).toBe(2);
    await vi.advanceTimersByTimeAsync(200);
    expect(attempts).toBe(3);
    await vi.advanceTimersByTimeAsync(250);
    expect(attempts).toBe(4);
    await vi.advanceTimersByTimeAsync(10_000);
    expect(attempts).toBe(4);
    expect(errors).toEqual(['fail 1', 'fail 2', 'fail 3']);
    q.stop();
  });

  it('honours requeueAfterMs and keeps the earliest delayed add', async () => {
    vi.useFakeTimers();
    const calls: number[] = [];
    const q = new WorkQueue(async () => {
      calls.push(Date.now());
      return calls.length === 1 ? { requeueAfterMs: 1000 } : undefined;
    });
    q.add('k');
    await vi.advanceTimersByTimeAsync(0);
    q.add('k', 5000); // later than the pending 1000 ms requeue: ignored
    await vi.advanceTimersByTimeAsync(1000);
    expect(calls).toHaveLength(2);
    await vi.advanceTimersByTimeAsync(10_000);
    expect(calls).toHaveLength(2);
    q.stop();
  });
});
