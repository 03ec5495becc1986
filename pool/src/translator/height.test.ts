import { describe, expect, it } from 'vitest';
import { HeightTracker } from './height.js';

const flush = () => new Promise((r) => setTimeout(r, 0));

describe('HeightTracker', () => {
  it('counts up per new parent without a lookup, stable for a known parent', () => {
    const t = new HeightTracker();
    expect(t.heightFor('aa')).toBe(0);
    expect(t.heightFor('aa')).toBe(0);
    expect(t.heightFor('bb')).toBe(1);
    expect(t.heightFor('cc')).toBe(2);
  });

  it('uses the node answer for later jobs and guesses from it afterwards', async () => {
    const heights: Record<string, number> = { aa: 41, bb: 42 };
    const t = new HeightTracker((h) => Promise.resolve(heights[h]));
    expect(t.heightFor('aa')).toBe(0); // not known yet: never waits
    await flush();
    expect(t.heightFor('aa')).toBe(42);
    expect(t.heightFor('bb')).toBe(43); // guessed as the next one, then confirmed
    await flush();
    expect(t.heightFor('bb')).toBe(43);
    expect(t.heightFor('zz')).toBe(44); // unknown to the node: the guess stays
    await flush();
    expect(t.heightFor('zz')).toBe(44);
  });

  it('survives a failing lookup', async () => {
    const t = new HeightTracker(() => Promise.reject(new Error('node down')));
    expect(t.heightFor('aa')).toBe(0);
    await flush();
    expect(t.heightFor('bb')).toBe(1);
  });
});

describe('HeightTracker corrections', () => {
  it('shifts guesses made before the first answer arrived', async () => {
    let release: (() => void) | undefined;
    const gate = new Promise<void>((r) => (release = r));
    const heights: Record<string, number> = { aa: 99, bb: 100, cc: 101 };
    const t = new HeightTracker(async (h) => {
      if (h === 'aa') await gate;
      return heights[h];
    });
    expect(t.heightFor('aa')).toBe(0);
    expect(t.heightFor('bb')).toBe(1); // guessed from a guess
    await flush();
    expect(t.heightFor('bb')).toBe(101); // bb answered directly
    expect(t.heightFor('cc')).toBe(102);
    release!();
    await flush();
    await flush();
    expect(t.peek('aa')).toBe(100);
    expect(t.peek('bb')).toBe(101); // confirmed values are not shifted
    expect(t.peek('cc')).toBe(102);
  });
});
