/** Test helper: a `DownstreamHub` around one channel, for sessions driven without I/O. */
import { DEFAULT_VARDIFF } from '../../stratum/vardiff.js';
import type { UpstreamChannel } from '../channel.js';
import { DEFAULT_DOWNSTREAM_LIMITS, type DownstreamHub } from '../downstream.js';

/** Every session gets `ch` at once; no own channels; vardiff minimum 2; overrides win. */
export function hubFor(ch: UpstreamChannel, overrides: Partial<DownstreamHub>): DownstreamHub {
  return {
    channelFor: (_id, cb) => {
      cb(ch);
      return () => {};
    },
    hasChannelFor: () => true,
    heightOf: () => 7,
    joined: () => {},
    left: () => {},
    wantsOwnChannel: () => false,
    forward: () => {},
    onShare: () => {},
    vardiff: { ...DEFAULT_VARDIFF, minDifficulty: 2n },
    startDifficulty: 16n,
    dialect: undefined,
    limits: DEFAULT_DOWNSTREAM_LIMITS,
    now: () => 1_000_000,
    ...overrides,
  };
}
