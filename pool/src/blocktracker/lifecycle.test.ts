import { describe, expect, it } from 'vitest';
import { packEpoch, unpackEpoch, type Epoch } from '../ckb/header.js';
import { advance, epochReached, type Observation, type TrackedBlock } from './lifecycle.js';

const params = { cellbaseMaturity: { number: 1n, index: 0, length: 1 }, orphanDepth: 20n };
const ep = (number: number, index = 0, length = 10): Epoch => ({ number: BigInt(number), index, length });
const reward = { primary: 1000n, secondary: 20n, committed: 3n, proposal: 1n };
const found: TrackedBlock = {
  hash: '0xb',
  number: 100n,
  shareId: '1:00',
  user: 'alice',
  worker: 'rig',
  foundAt: 1n,
  state: 'submitted',
  confirmations: 0n,
  generation: 0,
};
const obs = (o: Partial<Observation>): Observation => ({
  tip: 100n,
  tipEpoch: ep(10),
  onMain: true,
  known: true,
  ...o,
});
const step = (b: TrackedBlock, o: Partial<Observation>) => advance(b, obs(o), params, unpackEpoch);
const fin = { reward, finalizedAt: '0xf', paidCapacity: 1024n, rewardEpoch: packEpoch(ep(11, 1)) };

describe('found-block lifecycle', () => {
  it('goes submitted → main → finalized (allocate) → matured (mature)', () => {
    const main = step(found, { tip: 105n });
    expect(main).toMatchObject({ action: 'none', block: { state: 'main', confirmations: 6n } });
    const f = step(main.block, { tip: 111n, finalization: fin });
    expect(f).toMatchObject({
      action: 'allocate',
      block: { state: 'finalized', reward, finalizedAt: '0xf' },
    });
    expect(step(f.block, { tip: 112n, tipEpoch: ep(12, 0) }).action).toBe('none');
    const m = step(f.block, { tip: 120n, tipEpoch: ep(12, 1) });
    expect(m).toMatchObject({ action: 'mature', block: { state: 'matured' } });
    expect(step(m.block, { tip: 121n, tipEpoch: ep(12, 2) }).action).toBe('none');
  });

  it('holds finalization back when the paying cellbase disagrees with the node', () => {
    const main = step(found, {}).block;
    const held = step(main, { tip: 111n, finalization: { ...fin, paidCapacity: 1023n } });
    expect(held.action).toBe('none');
    expect(held.block.state).toBe('main');
    expect(held.block.reason).toContain('pays 1023');
    expect(step(main, { finalization: { ...fin, paidCapacity: undefined } }).block.reason).toContain(
      'nothing',
    );
  });

  it('reverses a finalized block that leaves the main chain, and allocates it anew if it comes back', () => {
    const f = step(step(found, {}).block, { tip: 111n, finalization: fin }).block;
    const gone = step(f, { tip: 112n, onMain: false });
    expect(gone).toMatchObject({
      action: 'reverse',
      block: { state: 'side', generation: 1, confirmations: 0n },
    });
    expect(gone.block.reward).toBeUndefined();
    const back = step(gone.block, { tip: 113n });
    expect(back.block.state).toBe('main');
    expect(step(back.block, { tip: 113n, finalization: fin })).toMatchObject({
      action: 'allocate',
      block: { generation: 1 },
    });
  });

  it('tells uncles from orphans; a submitted block the node never saw orphans after orphanDepth', () => {
    expect(step(found, { onMain: false, uncleIn: '0xu' }).block).toMatchObject({
      state: 'uncle',
      uncleIn: '0xu',
    });
    expect(step(found, { onMain: false, tip: 110n }).block.state).toBe('side');
    expect(step(found, { onMain: false, tip: 130n }).block.state).toBe('orphaned');
    expect(step(found, { onMain: false, known: false, tip: 110n }).block.state).toBe('submitted');
    expect(step(found, { onMain: false, known: false, tip: 121n }).block.state).toBe('orphaned');
  });

  it("compares epochs as fractions (the node's MaturityVerifier)", () => {
    expect(epochReached(ep(5, 0), ep(1, 5), ep(4, 0, 1))).toBe(false);
    expect(epochReached(ep(5, 5), ep(1, 5), ep(4, 0, 1))).toBe(true);
    expect(epochReached(ep(5, 4, 8), ep(1, 5, 10), ep(4, 0, 1))).toBe(true);
    expect(epochReached(ep(5, 3, 8), ep(1, 5, 10), ep(4, 0, 1))).toBe(false);
  });
});
