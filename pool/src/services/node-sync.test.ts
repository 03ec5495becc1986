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

  it('serves a dev chain in initial block download only while no peer knows a block past its tip', () => {
    // A fresh `ckb init --chain dev` node: tip = genesis, older than a day, so ckb reports IBD.
    expect(judgeNodeSync(state(true, 0), 0n, 10, 'ckb_dev')).toMatchObject({ serve: true, ibd: true });
    expect(judgeNodeSync(state(true, 50), 10n, 10, 'ckb_dev')).toMatchObject({
      serve: false,
      reason: 'initial block download: tip 10 of 50 known (20.0%)',
    });
    // On mainnet and testnet the same state means no peers yet: refused.
    expect(judgeNodeSync(state(true, 0), 0n, 10, 'ckb')).toMatchObject({ serve: false });
    expect(judgeNodeSync(state(true, 0), 0n, 10, 'ckb_testnet')).toMatchObject({ serve: false });
  });

  it('progress of an empty best is complete', () => {
    expect(syncProgress(0n, 0n)).toBe('100.0%');
  });
});
