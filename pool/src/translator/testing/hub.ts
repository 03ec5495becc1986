/** Test helper: a `DownstreamHub` around one channel, for sessions driven without I/O. */
import { targetToU256LE } from '../../ckb/target.js';
import type { NonceLayout } from '../../mining/nonce.js';
import { DEFAULT_VARDIFF } from '../../mining/vardiff.js';
import { UpstreamChannel } from '../channel.js';
import { DEFAULT_DOWNSTREAM_LIMITS, type DownstreamHub } from '../downstream.js';

/** Channel 7 (prefix P, extranonce 12 - P bytes) with job 0x2a active on a new parent. */
export function channelWithJob(opts: {
  prefix: Uint8Array;
  powHash: Uint8Array;
  nbits: number;
  target: bigint;
  layout?: NonceLayout;
}): UpstreamChannel {
  const p = opts.prefix;
  const ch = new UpstreamChannel(7, 'proxy.default', p, 12 - p.length, opts.target, opts.layout);
  ch.apply({
    type: 'NewExtendedMiningJob',
    channelId: 7,
    jobId: 0x2a,
    minNtime: undefined,
    version: 0,
    versionRollingAllowed: true,
    merklePath: [],
    coinbaseTxPrefix: opts.powHash,
    coinbaseTxSuffix: new Uint8Array(0),
  });
  ch.apply({
    type: 'SetNewPrevHash',
    channelId: 7,
    jobId: 0x2a,
    prevHash: new Uint8Array(32),
    minNtime: 1,
    nbits: opts.nbits,
  });
  ch.apply({ type: 'SetTarget', channelId: 7, maximumTarget: targetToU256LE(opts.target) });
  return ch;
}

/** Every session gets `ch` at once; no own channels; vardiff minimum 2; overrides win. */
export function hubFor(ch: UpstreamChannel, overrides: Partial<DownstreamHub>): DownstreamHub {
  return {
    channelFor: (_id, _layout, cb) => {
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
