import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { bytesBEToTarget, targetToBytesBE } from '../ckb/target.js';
import { ckbPowHash } from '../eaglesong/index.js';
import { CpuMiner } from './cpu.js';

describe('CpuMiner', () => {
  it('finds nonces that meet the target, in disjoint roll spaces per worker, tagged with the job key', async () => {
    const found: { key: string; nonce: Uint8Array }[] = [];
    let resolveEnough: () => void;
    const enough = new Promise<void>((r) => (resolveEnough = r));
    const miner = new CpuMiner<string>(2, (key, nonce) => {
      found.push({ key, nonce });
      const rolls = new Set(found.map((f) => new DataView(f.nonce.buffer).getUint32(8, true)));
      if (found.length >= 8 && rolls.size === 2) resolveEnough();
    });
    const powHash = Uint8Array.from({ length: 32 }, (_, i) => 255 - i);
    const target = 1n << 248n; // difficulty 256
    const base = new Uint8Array(16);
    base.set([9, 9, 9, 9, 0, 0, 0, 0]);
    miner.setWork({
      key: 'job-1',
      powHash,
      base,
      targetBE: targetToBytesBE(target),
      rollAt: 8,
      rollLength: 4,
    });
    await enough;
    await miner.stop();
    const rolls = new Set<number>();
    for (const { key, nonce } of found) {
      expect(key).toBe('job-1');
      expect([...nonce.subarray(0, 8)]).toEqual([9, 9, 9, 9, 0, 0, 0, 0]);
      expect(bytesBEToTarget(ckbPowHash(powHash, nonce)) <= target).toBe(true);
      rolls.add(new DataView(nonce.buffer).getUint32(8, true));
    }
    // Worker 0 rolls 0, 2, …; worker 1 rolls 1, 3, …: both start on their own value.
    expect([...rolls].sort()).toEqual([0, 1]);
    const keys = new Set(found.map((f) => Buffer.from(f.nonce).toString('hex')));
    expect(keys.size).toBe(found.length);
  });

  it('stops hashing on idle() and drops results of the old job until the next setWork', async () => {
    const found: string[] = [];
    const miner = new CpuMiner<string>(1, (key) => found.push(key));
    const work = (key: string) => ({
      key,
      powHash: new Uint8Array(32).fill(7),
      base: new Uint8Array(16),
      targetBE: new Uint8Array(32).fill(0xff), // every nonce meets it
      rollAt: 8,
      rollLength: 4,
    });
    // Workers start slowly on a loaded machine (each loads tsx and the WASM module): a deadline, not a window.
    const grows = async (): Promise<boolean> => {
      const before = miner.totalHashes;
      const deadline = Date.now() + 20_000;
      while (miner.totalHashes === before && Date.now() < deadline) await sleep(20);
      return miner.totalHashes > before;
    };
    try {
      miner.setWork(work('job-1'));
      expect(await grows()).toBe(true);
      await miner.idle(); // every worker answered: its last batch is counted
      const foundAtIdle = found.length;
      const settled = miner.totalHashes;
      await sleep(300);
      expect(miner.totalHashes).toBe(settled);
      expect(found.length).toBe(foundAtIdle);
      miner.setWork(work('job-2'));
      expect(await grows()).toBe(true);
      expect(found.at(-1)).toBe('job-2');
    } finally {
      await miner.stop();
      // A second stop (a test's cleanup after the test stopped it) returns instead of waiting for exits that already happened.
      await miner.stop();
    }
  });

  it('rejects a thread count below one', () => {
    expect(() => new CpuMiner(0, () => {})).toThrow(RangeError);
  });
});
