import { describe, expect, it } from 'vitest';
import { compactToDifficulty } from '../ckb/target.js';
import type { BlockTemplate } from '../ckb/types.js';
import { blockFromWork, workFromTemplate } from '../ckb/work.js';
import { DevChain, DevnetRpcError } from './chain.js';
import { mine } from './testing/mine.js';

function setup(opts: { blockTimeMs?: number } = {}) {
  const clock = { now: 1_800_000_000_000 };
  const chain = new DevChain({
    initialCompactTarget: 0x20010000,
    epochLength: 5,
    finalizationDelay: 3,
    now: () => clock.now,
    ...opts,
  });
  /** Mines the current template (optionally altered) and submits it. */
  const submit = (alter: (t: BlockTemplate) => BlockTemplate = (t) => t, timestamp?: bigint) => {
    const work = workFromTemplate(alter(chain.template()), timestamp === undefined ? {} : { timestamp });
    return chain.submit(blockFromWork(work, mine(work)));
  };
  const rejection = (fn: () => unknown): DevnetRpcError => {
    try {
      fn();
    } catch (err) {
      if (err instanceof DevnetRpcError) return err;
      throw err;
    }
    throw new Error('expected a rejection');
  };
  return { chain, clock, submit, rejection };
}

describe('DevChain', () => {
  it('raises difficulty while blocks come faster than blockTimeMs and lowers it when slower', () => {
    const { chain, clock, submit } = setup({ blockTimeMs: 10_000 });
    const difficulty = () => compactToDifficulty(Number(chain.template().compact_target));
    for (let i = 0; i < 4; i++) {
      clock.now += 1000;
      submit();
    }
    const fast = difficulty();
    expect(fast).toBeGreaterThan(256n);
    for (let i = 0; i < 3; i++) {
      clock.now += 60_000;
      submit();
    }
    expect(difficulty()).toBeLessThan(fast);
  });

  it('keeps the epoch fraction and the epoch number in step', () => {
    const { chain, clock, submit } = setup();
    for (let i = 0; i < 6; i++) {
      clock.now += 1000;
      submit();
    }
    expect(chain.tip.view.header.epoch).toBe('0x50001000001'); // block 6: number 1 | index 1 << 24 | length 5 << 40
  });

  it('rejects timestamps too far ahead or not above the median', () => {
    const { chain, clock, submit, rejection } = setup();
    clock.now += 1000;
    const tooNew = rejection(() => submit(undefined, BigInt(clock.now + 16_000)));
    expect(tooNew.message).toMatch(
      /^Invalid: Header\(Timestamp\(BlockTimeTooNew\(max: \d+, actual: \d+\)\)\)$/,
    );
    const tooOld = rejection(() => submit(undefined, chain.tip.header.timestamp));
    expect(tooOld.message).toMatch(/BlockTimeTooOld/);
    expect(chain.tip.number).toBe(0n);
  });

  it('rejects a wrong compact target, epoch, dao, extension, cellbase reward and number', () => {
    const { chain, clock, submit, rejection } = setup();
    for (let i = 0; i < 4; i++) {
      clock.now += 1000;
      submit();
    }
    clock.now += 1000;
    const cases: [string, (t: BlockTemplate) => BlockTemplate, RegExp][] = [
      [
        'target',
        (t) => ({ ...t, compact_target: '0x20020000' }),
        /TargetMismatch\(expected: \w+, actual: 20020000\)/,
      ],
      ['epoch', (t) => ({ ...t, epoch: '0x50000000000' }), /Header\(Epoch\(NonContinuous/],
      ['dao', (t) => ({ ...t, dao: '0x' + '00'.repeat(32) }), /^Invalid: Block\(InvalidDAO\)$/],
      [
        'extension',
        (t) => ({ ...t, extension: '0x' + '00'.repeat(32) }),
        /^Invalid: Block\(InvalidChainRoot\)$/,
      ],
      ['no extension', (t) => ({ ...t, extension: null }), /^Invalid: Block\(NoBlockExtension\)$/],
      ['number', (t) => ({ ...t, number: '0x9' }), /NumberError\(expected: 5, actual: 9\)/],
      [
        'reward',
        (t) => {
          const data = structuredClone(t.cellbase.data);
          data.outputs[0]!.capacity = '0x1';
          return { ...t, cellbase: { ...t.cellbase, data } };
        },
        /^Invalid: Block\(Cellbase\(InvalidRewardAmount\)\)$/,
      ],
    ];
    for (const [name, alter, message] of cases) {
      expect(rejection(() => submit(alter)).message, name).toMatch(message);
    }
    expect(chain.tip.number).toBe(4n);
    submit();
    expect(chain.tip.number).toBe(5n);
  });

  it('records the miner lock from the cellbase witness and pays it after the finalization delay', () => {
    const { chain, clock, submit } = setup();
    const otherMiner = { ...chain.lock, args: '0x' + 'ab'.repeat(20) };
    // A second pool with its own block assembler: same chain, different cellbase witness lock.
    const other = new DevChain({
      initialCompactTarget: 0x20010000,
      lock: otherMiner,
      epochLength: 5,
      finalizationDelay: 3,
      now: () => clock.now,
    });
    clock.now += 1000;
    const cellbase = other.template().cellbase; // block 1 cellbase of a chain whose assembler pays otherMiner
    submit((t) => ({ ...t, cellbase }));
    for (let i = 0; i < 3; i++) {
      clock.now += 1000;
      submit();
    }
    expect(chain.blocks()[1]!.minerLock.args).toBe(otherMiner.args);
    expect(chain.blocksFoundBy()).toEqual(
      new Map([
        [otherMiner.args, 1],
        [chain.lock.args, 3],
      ]),
    );
    // block 4 pays block 1's miner
    expect(chain.blocks()[4]!.view.transactions[0]!.outputs[0]!.lock).toEqual(otherMiner);
  });
});
