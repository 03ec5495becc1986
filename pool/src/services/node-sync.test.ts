import { describe, expect, it } from 'vitest';
import { judgeNodeSync, syncProgress } from './node-sync.js';

const state = (ibd: boolean, best: number) => ({
  ibd,
  best_known_block_number: `0x${best.toString(16)}`,
  best_known_block_timestamp: '0x0',
});

describe('judgeNodeSync', () => {
  it('refuses a node in initial block download, with its progress', () => {
    expect(judgeNodeSync(state(true, 9_000_000), 1_200_000n, 10)).toEqual({
      serve: false,
      known: true,
      ibd: true,
      tip: 1_200_000n,
      best: 9_000_000n,
      reason: 'initial block download: tip 1200000 of 9000000 known (13.3%)',
    });
  });

  it('refuses a node more than maxLagBlocks behind its peers, serves one within', () => {
    expect(judgeNodeSync(state(false, 111), 100n, 10)).toMatchObject({
      serve: false,
      reason: 'node 11 blocks behind its peers: tip 100 of 111 known (90.0%)',
    });
    expect(judgeNodeSync(state(false, 110), 100n, 10)).toMatchObject({ serve: true });
    // A node ahead of what its peers announced (it just mined) is fine.
    expect(judgeNodeSync(state(false, 90), 100n, 0)).toMatchObject({ serve: true });
  });

  it('progress of an empty best is complete', () => {
    expect(syncProgress(0n, 0n)).toBe('100.0%');
  });
});
