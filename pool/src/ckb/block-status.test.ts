import { describe, expect, it } from 'vitest';
import { classifyBlock, placementReason } from './block-status.js';

const ours = '0x' + 'aa'.repeat(32);
const other = '0x' + 'bb'.repeat(32);

describe('classifyBlock', () => {
  it('main only when the main chain has this very block at its height', () => {
    expect(classifyBlock(5n, ours, { tipNumber: 5n, mainHashAtHeight: ours, known: true })).toEqual({
      placement: 'main',
    });
    // Hex case does not matter (the node answers lower case; a caller may not).
    expect(
      classifyBlock(5n, ours.toUpperCase().replace('0X', '0x'), {
        tipNumber: 9n,
        mainHashAtHeight: ours,
        known: true,
      }).placement,
    ).toBe('main');
  });

  it('side when the node keeps the block but another one holds the height', () => {
    expect(classifyBlock(5n, ours, { tipNumber: 5n, mainHashAtHeight: other, known: true })).toEqual({
      placement: 'side',
      mainHash: other,
    });
  });

  it('stale when the node does not have it and another block holds the height', () => {
    expect(classifyBlock(5n, ours, { tipNumber: 6n, mainHashAtHeight: other, known: false })).toEqual({
      placement: 'stale',
      mainHash: other,
    });
  });

  it('unknown while the chain is below the height, known or not', () => {
    for (const known of [true, false]) {
      expect(classifyBlock(5n, ours, { tipNumber: 4n, mainHashAtHeight: undefined, known }).placement).toBe(
        'unknown',
      );
    }
  });

  it('names the main-chain block in the reason', () => {
    expect(placementReason(5n, { placement: 'side', mainHash: other })).toBe(
      `side block: the main chain has ${other} at 5`,
    );
    expect(placementReason(5n, { placement: 'main' })).toBe('');
  });
});
