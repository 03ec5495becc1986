/**
 * Frames encoded by SRI's own codec: stratum-mining/stratum @ 268022034c18c11259350fe863c8f105d2dbb64e
 * (`parsers_sv2::AnyMessage` → `codec_sv2::StandardSv2Frame::serialize`), one per Common/Mining
 * message and per Extensions Negotiation message, generated with the values of `MESSAGES` below by a throwaway Rust program built
 * against that checkout (not part of this repository). Our encoder must produce the same bytes
 * and our decoder must read SRI's bytes back to the same values.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeFrame, encodeFrame, FrameDecoder } from './frame.js';
import type { Sv2Message, Sv2MessageType } from './types.js';

const seq = (n: number, from: number): Uint8Array =>
  Uint8Array.from({ length: n }, (_, i) => (from + i) & 0xff);
const unhex = (s: string): Uint8Array => new Uint8Array(Buffer.from(s, 'hex'));
const t1 = seq(32, 0x01);
const t2 = seq(32, 0x21);
const t3 = seq(32, 0x41);
const t4 = seq(32, 0x61);

const SRI_FRAMES: Record<Sv2MessageType, string> = {
  SetupConnection:
    '00000039000000020002000600000013706f6f6c2e6561676c65706f6f6c2e74657374ce850d4561676c65706f6f6c20' +
    'e29c930363707500066465762d3031',
  SetupConnectionSuccess: '000001060000020003000000',
  SetupConnectionError: '0000021e00000400000019756e737570706f727465642d666561747572652d666c616773',
  ChannelEndpointChanged: '008003040000efbeadde',
  Reconnect: '000004180000156261636b75702e6561676c65706f6f6c2e74657374050d',
  OpenStandardMiningChannel:
    '000010380000070000000f636b62317179712e776f726b657231e78491530102030405060708090a0b0c0d0e0f101112' +
    '131415161718191a1b1c1d1e1f20',
  OpenStandardMiningChannelSuccess:
    '00001135000007000000020000002122232425262728292a2b2c2d2e2f303132333435363738393a3b3c3d3e3f4008a0' +
    'a1a2a3a4a5a6a701000000',
  OpenMiningChannelError: '000012110000070000000c756e6b6e6f776e2d75736572',
  OpenExtendedMiningChannel:
    '0000132f000008000000046661726d0000003f4142434445464748494a4b4c4d4e4f505152535455565758595a5b5c5d' +
    '5e5f600c00',
  OpenExtendedMiningChannelSuccess:
    '00001433000008000000030000006162636465666768696a6b6c6d6e6f707172737475767778797a7b7c7d7e7f800c00' +
    '04b0b1b2b301000000',
  NewMiningJob:
    '0080152d0000020000000a00000000000000000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d' +
    '1e1f20',
  UpdateChannel:
    '008016280000020000005ed0324f2122232425262728292a2b2c2d2e2f303132333435363738393a3b3c3d3e3f40',
  UpdateChannelError: '0080171700000900000012696e76616c69642d6368616e6e656c2d6964',
  CloseChannel: '0080180d0000020000000873687574646f776e',
  SetExtranoncePrefix: '0080190d00000200000008a0a1a2a3a4a5a6a7',
  SubmitSharesStandard: '00801a18000002000000290000000a000000bebafeca00f1536504000020',
  SubmitSharesExtended:
    '00801b25000003000000010000000b0000000500000001f15365070000000cc0c1c2c3c4c5c6c7c8c9cacb',
  SubmitSharesSuccess: '00801c14000002000000290000000a000000efcdab8967452301',
  SubmitSharesError: '00801d1b0000020000002a00000012646966666963756c74792d746f6f2d6c6f77',
  NewExtendedMiningJob:
    '00801fbd0000030000000c0000000102f153650000002001024142434445464748494a4b4c4d4e4f5051525354555657' +
    '58595a5b5c5d5e5f606162636465666768696a6b6c6d6e6f707172737475767778797a7b7c7d7e7f802000d0d1d2d3d4' +
    'd5d6d7d8d9dadbdcdddedfe0e1e2e3e4e5e6e7e8e9eaebecedeeef4600909192939495969798999a9b9c9d9e9fa0a1a2' +
    'a3a4a5a6a7a8a9aaabacadaeafb0b1b2b3b4b5b6b7b8b9babbbcbdbebfc0c1c2c3c4c5c6c7c8c9cacbcccdcecfd0d1d2' +
    'd3d4d5',
  SetNewPrevHash:
    '008020300000020000000a0000004142434445464748494a4b4c4d4e4f505152535455565758595a5b5c5d5e5f6000f1' +
    '5365ffff001d',
  SetTarget: '008021240000020000006162636465666768696a6b6c6d6e6f707172737475767778797a7b7c7d7e7f80',
  SetCustomMiningJob:
    '008022ad0100030000000400000014101112131415161718191a1b1c1d1e1f2021222300000020010203040506070809' +
    '0a0b0c0d0e0f101112131415161718191a1b1c1d1e1f2003f15365ffff001d02000000083031323334353637ffffffff' +
    '2c01000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f202122232425262728292a2b2c2d' +
    '2e2f303132333435363738393a3b3c3d3e3f404142434445464748494a4b4c4d4e4f505152535455565758595a5b5c5d' +
    '5e5f606162636465666768696a6b6c6d6e6f707172737475767778797a7b7c7d7e7f808182838485868788898a8b8c8d' +
    '8e8f909192939495969798999a9b9c9d9e9fa0a1a2a3a4a5a6a7a8a9aaabacadaeafb0b1b2b3b4b5b6b7b8b9babbbcbd' +
    'bebfc0c1c2c3c4c5c6c7c8c9cacbcccdcecfd0d1d2d3d4d5d6d7d8d9dadbdcdddedfe0e1e2e3e4e5e6e7e8e9eaebeced' +
    'eeeff0f1f2f3f4f5f6f7f8f9fafbfcfdfeff000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d' +
    '1e1f202122232425262728292a2b00000000012122232425262728292a2b2c2d2e2f303132333435363738393a3b3c3d' +
    '3e3f40',
  SetCustomMiningJobSuccess: '0080230c000003000000040000000d000000',
  SetCustomMiningJobError: '008024210000030000000400000018696e76616c69642d6d696e696e672d6a6f622d746f6b656e',
  SetGroupChannel: '0000251200000100000003000200000003000000ffffffff',
  RequestExtensions: '0100000800000201020002000140',
  RequestExtensionsSuccess: '01000104000002010000',
  RequestExtensionsError: '0100020a000002010200020001400000',
};

const MESSAGES: { [K in Sv2MessageType]: Extract<Sv2Message, { type: K }> } = {
  SetupConnection: {
    type: 'SetupConnection',
    protocol: 0,
    minVersion: 2,
    maxVersion: 2,
    flags: 0b110,
    endpointHost: 'pool.eaglepool.test',
    endpointPort: 34254,
    vendor: 'Eaglepool ✓',
    hardwareVersion: 'cpu',
    firmware: '',
    deviceId: 'dev-01',
  },
  SetupConnectionSuccess: { type: 'SetupConnectionSuccess', usedVersion: 2, flags: 3 },
  SetupConnectionError: { type: 'SetupConnectionError', flags: 4, errorCode: 'unsupported-feature-flags' },
  ChannelEndpointChanged: { type: 'ChannelEndpointChanged', channelId: 0xdeadbeef },
  Reconnect: { type: 'Reconnect', newHost: 'backup.eaglepool.test', newPort: 3333 },
  OpenStandardMiningChannel: {
    type: 'OpenStandardMiningChannel',
    requestId: 7,
    userIdentity: 'ckb1qyq.worker1',
    nominalHashRate: Math.fround(1.25e12),
    maxTarget: t1,
  },
  OpenStandardMiningChannelSuccess: {
    type: 'OpenStandardMiningChannelSuccess',
    requestId: 7,
    channelId: 2,
    target: t2,
    extranoncePrefix: seq(8, 0xa0),
    groupChannelId: 1,
  },
  OpenMiningChannelError: { type: 'OpenMiningChannelError', requestId: 7, errorCode: 'unknown-user' },
  OpenExtendedMiningChannel: {
    type: 'OpenExtendedMiningChannel',
    requestId: 8,
    userIdentity: 'farm',
    nominalHashRate: 0.5,
    maxTarget: t3,
    minExtranonceSize: 12,
  },
  OpenExtendedMiningChannelSuccess: {
    type: 'OpenExtendedMiningChannelSuccess',
    requestId: 8,
    channelId: 3,
    target: t4,
    extranonceSize: 12,
    extranoncePrefix: seq(4, 0xb0),
    groupChannelId: 1,
  },
  NewMiningJob: {
    type: 'NewMiningJob',
    channelId: 2,
    jobId: 10,
    minNtime: undefined,
    version: 0,
    merkleRoot: t1,
  },
  UpdateChannel: {
    type: 'UpdateChannel',
    channelId: 2,
    nominalHashRate: Math.fround(3e9),
    maximumTarget: t2,
  },
  UpdateChannelError: { type: 'UpdateChannelError', channelId: 9, errorCode: 'invalid-channel-id' },
  CloseChannel: { type: 'CloseChannel', channelId: 2, reasonCode: 'shutdown' },
  SetExtranoncePrefix: { type: 'SetExtranoncePrefix', channelId: 2, extranoncePrefix: seq(8, 0xa0) },
  SubmitSharesStandard: {
    type: 'SubmitSharesStandard',
    channelId: 2,
    sequenceNumber: 41,
    jobId: 10,
    nonce: 0xcafebabe,
    ntime: 1_700_000_000,
    version: 0x20000004,
  },
  SubmitSharesExtended: {
    type: 'SubmitSharesExtended',
    channelId: 3,
    sequenceNumber: 1,
    jobId: 11,
    nonce: 5,
    ntime: 1_700_000_001,
    version: 7,
    extranonce: seq(12, 0xc0),
  },
  SubmitSharesSuccess: {
    type: 'SubmitSharesSuccess',
    channelId: 2,
    lastSequenceNumber: 41,
    newSubmitsAcceptedCount: 10,
    newSharesSum: 0x0123456789abcdefn,
  },
  SubmitSharesError: {
    type: 'SubmitSharesError',
    channelId: 2,
    sequenceNumber: 42,
    errorCode: 'difficulty-too-low',
  },
  NewExtendedMiningJob: {
    type: 'NewExtendedMiningJob',
    channelId: 3,
    jobId: 12,
    minNtime: 1_700_000_002,
    version: 0x20000000,
    versionRollingAllowed: true,
    merklePath: [t3, t4],
    coinbaseTxPrefix: seq(32, 0xd0),
    coinbaseTxSuffix: seq(70, 0x90),
  },
  SetNewPrevHash: {
    type: 'SetNewPrevHash',
    channelId: 2,
    jobId: 10,
    prevHash: t3,
    minNtime: 1_700_000_000,
    nbits: 0x1d00ffff,
  },
  SetTarget: { type: 'SetTarget', channelId: 2, maximumTarget: t4 },
  SetCustomMiningJob: {
    type: 'SetCustomMiningJob',
    channelId: 3,
    requestId: 4,
    miningJobToken: seq(20, 0x10),
    version: 0x20000000,
    prevHash: t1,
    minNtime: 1_700_000_003,
    nbits: 0x1d00ffff,
    coinbaseTxVersion: 2,
    coinbasePrefix: seq(8, 0x30),
    coinbaseTxInputNSequence: 0xffffffff,
    coinbaseTxOutputs: seq(300, 0x00),
    coinbaseTxLocktime: 0,
    merklePath: [t2],
  },
  SetCustomMiningJobSuccess: { type: 'SetCustomMiningJobSuccess', channelId: 3, requestId: 4, jobId: 13 },
  SetCustomMiningJobError: {
    type: 'SetCustomMiningJobError',
    channelId: 3,
    requestId: 4,
    errorCode: 'invalid-mining-job-token',
  },
  SetGroupChannel: { type: 'SetGroupChannel', groupChannelId: 1, channelIds: [2, 3, 0xffffffff] },
  RequestExtensions: { type: 'RequestExtensions', requestId: 0x0102, requestedExtensions: [2, 0x4001] },
  RequestExtensionsSuccess: { type: 'RequestExtensionsSuccess', requestId: 0x0102, supportedExtensions: [] },
  RequestExtensionsError: {
    type: 'RequestExtensionsError',
    requestId: 0x0102,
    unsupportedExtensions: [2, 0x4001],
    requiredExtensions: [],
  },
};

describe('frames encoded by SRI', () => {
  for (const type of Object.keys(SRI_FRAMES) as Sv2MessageType[]) {
    it(`${type}: same bytes as SRI, and SRI's bytes decode to the same values`, () => {
      expect(Buffer.from(encodeFrame(MESSAGES[type])).toString('hex')).toBe(SRI_FRAMES[type]);
      const frames = new FrameDecoder().push(unhex(SRI_FRAMES[type]));
      expect(frames).toHaveLength(1);
      expect(decodeFrame(frames[0]!)).toEqual(MESSAGES[type]);
    });
  }

  it('covers every message type', () => {
    expect(Object.keys(SRI_FRAMES).sort()).toEqual(Object.keys(MESSAGES).sort());
  });

  it('decodes the concatenated SRI frames split at random points', () => {
    const types = Object.keys(SRI_FRAMES) as Sv2MessageType[];
    const stream = unhex(types.map((t) => SRI_FRAMES[t]).join(''));
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: stream.length }), { maxLength: 40 }), (cuts) => {
        const points = [...new Set([0, ...cuts, stream.length])].sort((a, b) => a - b);
        const d = new FrameDecoder();
        const decoded = points
          .slice(1)
          .flatMap((p, i) => d.push(stream.slice(points[i], p)).map(decodeFrame));
        expect(decoded).toEqual(types.map((t) => MESSAGES[t]));
      }),
      { numRuns: 100 },
    );
  });
});
