import { describe, expect, it } from 'vitest';
import { Sv2ProtocolError } from './error.js';
import { decodeFrame, encodeFrame, readFrameHeader } from './frame.js';
import {
  CHANNEL_MSG,
  decodeMessage,
  encodeMessage,
  EXTENSION_TYPES,
  MESSAGE_TYPES,
  messageSize,
  writeMessage,
} from './message.js';
import type { Sv2Message, Sv2MessageType } from './types.js';

/**
 * [SPEC] stratum-mining/sv2-spec 08-Message-Types.md @ 0f38d51, Common and Mining rows,
 * copied by hand: [name, msg_type, channel_msg bit, extension_type]. Also equal to the
 * MESSAGE_TYPE_* and CHANNEL_BIT_* constants of [SRI] stratum-mining/stratum
 * sv2/subprotocols/{common-messages,mining}/src/lib.rs @ 268022034c18c11259350fe863c8f105d2dbb64e.
 * The last three rows are [SPEC] extensions/0x0001-extensions-negotiation.md §3 (SRI
 * sv2/extensions-sv2/src/extensions_negotiation.rs).
 */
const SPEC_TABLE: [Sv2MessageType, number, 0 | 1, number?][] = [
  ['SetupConnection', 0x00, 0],
  ['SetupConnectionSuccess', 0x01, 0],
  ['SetupConnectionError', 0x02, 0],
  ['ChannelEndpointChanged', 0x03, 1],
  ['Reconnect', 0x04, 0],
  ['OpenStandardMiningChannel', 0x10, 0],
  ['OpenStandardMiningChannelSuccess', 0x11, 0],
  ['OpenMiningChannelError', 0x12, 0],
  ['OpenExtendedMiningChannel', 0x13, 0],
  ['OpenExtendedMiningChannelSuccess', 0x14, 0],
  ['NewMiningJob', 0x15, 1],
  ['UpdateChannel', 0x16, 1],
  ['UpdateChannelError', 0x17, 1],
  ['CloseChannel', 0x18, 1],
  ['SetExtranoncePrefix', 0x19, 1],
  ['SubmitSharesStandard', 0x1a, 1],
  ['SubmitSharesExtended', 0x1b, 1],
  ['SubmitSharesSuccess', 0x1c, 1],
  ['SubmitSharesError', 0x1d, 1],
  ['NewExtendedMiningJob', 0x1f, 1],
  ['SetNewPrevHash', 0x20, 1],
  ['SetTarget', 0x21, 1],
  ['SetCustomMiningJob', 0x22, 1],
  ['SetCustomMiningJobSuccess', 0x23, 1],
  ['SetCustomMiningJobError', 0x24, 1],
  ['SetGroupChannel', 0x25, 0],
  ['RequestExtensions', 0x00, 0, 0x0001],
  ['RequestExtensionsSuccess', 0x01, 0, 0x0001],
  ['RequestExtensionsError', 0x02, 0, 0x0001],
];

const bytes = (n: number, from: number): Uint8Array =>
  Uint8Array.from({ length: n }, (_, i) => (from + i) & 0xff);

/** One hand-written example of every message, with non-trivial values in every field. */
const EXAMPLES: { [K in Sv2MessageType]: Extract<Sv2Message, { type: K }> } = {
  SetupConnection: {
    type: 'SetupConnection',
    protocol: 0,
    minVersion: 2,
    maxVersion: 2,
    flags: 0b101,
    endpointHost: 'pool.example.org',
    endpointPort: 34254,
    vendor: 'eaglepool',
    hardwareVersion: 'cpu',
    firmware: 'v0.1.0 ✓',
    deviceId: 'dev-1',
  },
  SetupConnectionSuccess: { type: 'SetupConnectionSuccess', usedVersion: 2, flags: 2 },
  SetupConnectionError: { type: 'SetupConnectionError', flags: 4, errorCode: 'unsupported-feature-flags' },
  ChannelEndpointChanged: { type: 'ChannelEndpointChanged', channelId: 0xfffffffe },
  Reconnect: { type: 'Reconnect', newHost: '', newPort: 0 },
  OpenStandardMiningChannel: {
    type: 'OpenStandardMiningChannel',
    requestId: 7,
    userIdentity: 'ckb1qyq…worker1',
    nominalHashRate: Math.fround(1.5e12), // F32: only float32 values round-trip exactly
    maxTarget: bytes(32, 0xe0),
  },
  OpenStandardMiningChannelSuccess: {
    type: 'OpenStandardMiningChannelSuccess',
    requestId: 7,
    channelId: 2,
    target: bytes(32, 1),
    extranoncePrefix: bytes(8, 0x40),
    groupChannelId: 1,
  },
  OpenMiningChannelError: { type: 'OpenMiningChannelError', requestId: 7, errorCode: 'unknown-user' },
  OpenExtendedMiningChannel: {
    type: 'OpenExtendedMiningChannel',
    requestId: 8,
    userIdentity: 'farm',
    nominalHashRate: 0,
    maxTarget: bytes(32, 0x80),
    minExtranonceSize: 8,
  },
  OpenExtendedMiningChannelSuccess: {
    type: 'OpenExtendedMiningChannelSuccess',
    requestId: 8,
    channelId: 3,
    target: bytes(32, 2),
    extranonceSize: 8,
    extranoncePrefix: bytes(4, 0x50),
    groupChannelId: 1,
  },
  NewMiningJob: {
    type: 'NewMiningJob',
    channelId: 2,
    jobId: 10,
    minNtime: undefined,
    version: 0,
    merkleRoot: bytes(32, 0xa0),
  },
  UpdateChannel: { type: 'UpdateChannel', channelId: 2, nominalHashRate: 3.25, maximumTarget: bytes(32, 3) },
  UpdateChannelError: { type: 'UpdateChannelError', channelId: 9, errorCode: 'invalid-channel-id' },
  CloseChannel: { type: 'CloseChannel', channelId: 2, reasonCode: 'shutdown' },
  SetExtranoncePrefix: { type: 'SetExtranoncePrefix', channelId: 2, extranoncePrefix: bytes(32, 0x60) },
  SubmitSharesStandard: {
    type: 'SubmitSharesStandard',
    channelId: 2,
    sequenceNumber: 41,
    jobId: 10,
    nonce: 0xcafebabe,
    ntime: 1_700_000_000,
    version: 0xffffffff,
  },
  SubmitSharesExtended: {
    type: 'SubmitSharesExtended',
    channelId: 3,
    sequenceNumber: 1,
    jobId: 11,
    nonce: 5,
    ntime: 6,
    version: 7,
    extranonce: bytes(8, 0x70),
  },
  SubmitSharesSuccess: {
    type: 'SubmitSharesSuccess',
    channelId: 2,
    lastSequenceNumber: 41,
    newSubmitsAcceptedCount: 10,
    newSharesSum: 0x1234567890abcdefn,
  },
  SubmitSharesError: {
    type: 'SubmitSharesError',
    channelId: 2,
    sequenceNumber: 42,
    errorCode: 'stale-share',
  },
  NewExtendedMiningJob: {
    type: 'NewExtendedMiningJob',
    channelId: 3,
    jobId: 12,
    minNtime: 1_700_000_001,
    version: 0x20000000,
    versionRollingAllowed: true,
    merklePath: [bytes(32, 0), bytes(32, 100)],
    coinbaseTxPrefix: bytes(32, 0xb0),
    coinbaseTxSuffix: new Uint8Array(0),
  },
  SetNewPrevHash: {
    type: 'SetNewPrevHash',
    channelId: 2,
    jobId: 10,
    prevHash: bytes(32, 0xc0),
    minNtime: 1_700_000_000,
    nbits: 0x1d00ffff,
  },
  SetTarget: { type: 'SetTarget', channelId: 2, maximumTarget: bytes(32, 0xd0) },
  SetCustomMiningJob: {
    type: 'SetCustomMiningJob',
    channelId: 3,
    requestId: 4,
    miningJobToken: bytes(20, 1),
    version: 5,
    prevHash: bytes(32, 6),
    minNtime: 7,
    nbits: 8,
    coinbaseTxVersion: 2,
    coinbasePrefix: bytes(8, 9),
    coinbaseTxInputNSequence: 0xffffffff,
    coinbaseTxOutputs: bytes(300, 10),
    coinbaseTxLocktime: 11,
    merklePath: [bytes(32, 12)],
  },
  SetCustomMiningJobSuccess: { type: 'SetCustomMiningJobSuccess', channelId: 3, requestId: 4, jobId: 13 },
  SetCustomMiningJobError: {
    type: 'SetCustomMiningJobError',
    channelId: 3,
    requestId: 4,
    errorCode: 'invalid-mining-job-token',
  },
  SetGroupChannel: { type: 'SetGroupChannel', groupChannelId: 1, channelIds: [2, 3, 0xffffffff] },
  RequestExtensions: { type: 'RequestExtensions', requestId: 1, requestedExtensions: [2] },
  RequestExtensionsSuccess: { type: 'RequestExtensionsSuccess', requestId: 1, supportedExtensions: [] },
  RequestExtensionsError: {
    type: 'RequestExtensionsError',
    requestId: 1,
    unsupportedExtensions: [2, 0x4000],
    requiredExtensions: [],
  },
};

describe('message type table', () => {
  it('has exactly the messages of the spec tables, with their ids, channel_msg bits and extension types', () => {
    expect(Object.keys(MESSAGE_TYPES).sort()).toEqual(SPEC_TABLE.map(([name]) => name).sort());
    for (const [name, id, channelBit, ext = 0] of SPEC_TABLE) {
      expect([name, MESSAGE_TYPES[name], CHANNEL_MSG[name], EXTENSION_TYPES[name]]).toEqual([
        name,
        id,
        channelBit === 1,
        ext,
      ]);
    }
  });

  it('writes msg_type, the channel_msg bit and extension_type into frame headers', () => {
    for (const [name, id, channelBit, ext = 0] of SPEC_TABLE) {
      const header = readFrameHeader(encodeFrame(EXAMPLES[name]));
      expect([name, header.msgType, header.channelMsg, header.extensionType]).toEqual([
        name,
        id,
        channelBit === 1,
        ext,
      ]);
    }
  });
});

describe('encode/decode of every message', () => {
  for (const [name] of SPEC_TABLE) {
    it(`round-trips ${name}`, () => {
      const msg = EXAMPLES[name];
      const payload = encodeMessage(msg);
      expect(payload.length).toBe(messageSize(msg));
      expect(decodeMessage(MESSAGE_TYPES[name], payload, EXTENSION_TYPES[name])).toEqual(msg);

      const frame = encodeFrame(msg);
      const header = readFrameHeader(frame);
      expect(header.msgLength).toBe(payload.length);
      expect(frame.subarray(6)).toEqual(payload);
      expect(decodeFrame({ ...header, payload: frame.subarray(6) })).toEqual(msg);
    });
  }

  it('keeps the spec field order: SubmitSharesStandard is six U32 in order', () => {
    const payload = encodeMessage(EXAMPLES.SubmitSharesStandard);
    expect(Buffer.from(payload).toString('hex')).toBe(
      '02000000' + '29000000' + '0a000000' + 'bebafeca' + '00f15365' + 'ffffffff',
    );
  });

  it('keeps the spec field order: OpenExtendedMiningChannel.Success puts extranonce_size before the prefix', () => {
    const payload = encodeMessage(EXAMPLES.OpenExtendedMiningChannelSuccess);
    const hex = Buffer.from(payload).toString('hex');
    // request_id, channel_id, target (32 B), extranonce_size U16, extranonce_prefix B0_32, group_channel_id
    expect(hex).toBe(
      '08000000' +
        '03000000' +
        Buffer.from(bytes(32, 2)).toString('hex') +
        '0800' +
        '04' +
        '50515253' +
        '01000000',
    );
  });

  it('writes a payload into a caller buffer at an offset', () => {
    const msg = EXAMPLES.SetTarget;
    const out = new Uint8Array(100).fill(0xee);
    const end = writeMessage(msg, out, 10);
    expect(end).toBe(10 + messageSize(msg));
    expect(out.subarray(10, end)).toEqual(encodeMessage(msg));
    expect(out[9]).toBe(0xee);
    expect(out[end]).toBe(0xee);
  });
});

describe('decode errors', () => {
  it('rejects trailing bytes after the last field', () => {
    const payload = encodeMessage(EXAMPLES.SubmitSharesStandard);
    const longer = new Uint8Array(payload.length + 1);
    longer.set(payload);
    expect(() => decodeMessage(0x1a, longer)).toThrow(Sv2ProtocolError);
    expect(() => decodeMessage(0x1a, longer)).toThrow('SubmitSharesStandard.end');
  });

  it('names the truncated field', () => {
    const payload = encodeMessage(EXAMPLES.SubmitSharesStandard).subarray(0, 10);
    expect(() => decodeMessage(0x1a, payload)).toThrow(
      expect.objectContaining({ name: 'Sv2ProtocolError', field: 'SubmitSharesStandard.jobId' }),
    );
  });

  it('rejects unknown msg_type ids (reserved 0x1e, JD, TDP) with field msgType', () => {
    for (const id of [0x05, 0x1e, 0x26, 0x50, 0x71, 0xff]) {
      expect(() => decodeMessage(id, new Uint8Array(0))).toThrow(
        expect.objectContaining({ field: 'msgType' }),
      );
    }
  });

  it('tells messages sharing a msg_type apart by extension_type', () => {
    const request = encodeMessage(EXAMPLES.RequestExtensions);
    expect(decodeMessage(0x00, request, 0x0001)).toEqual(EXAMPLES.RequestExtensions);
    expect(() => decodeMessage(0x00, request)).toThrow(Sv2ProtocolError); // not a SetupConnection
    expect(() => decodeMessage(0x03, request, 0x0001)).toThrow(expect.objectContaining({ field: 'msgType' }));
  });

  it('decodeFrame skips unknown extension frames and unknown msg_types instead of failing', () => {
    const payload = new Uint8Array(3);
    expect(decodeFrame({ extensionType: 1, msgType: 0x1a, channelMsg: true, payload })).toBeUndefined();
    expect(decodeFrame({ extensionType: 2, msgType: 0x00, channelMsg: false, payload })).toBeUndefined();
    expect(decodeFrame({ extensionType: 0x4000, msgType: 0x00, channelMsg: false, payload })).toBeUndefined();
    expect(decodeFrame({ extensionType: 0, msgType: 0x71, channelMsg: false, payload })).toBeUndefined();
    expect(decodeFrame({ extensionType: 0, msgType: 0x1e, channelMsg: true, payload })).toBeUndefined();
    expect(() => decodeFrame({ extensionType: 0, msgType: 0x1a, channelMsg: true, payload })).toThrow(
      Sv2ProtocolError,
    );
  });

  it('rejects encoding an unknown message type or an out-of-range field', () => {
    for (const type of ['Nope', 'toString', '__proto__', undefined]) {
      expect(() => encodeMessage({ type } as unknown as Sv2Message)).toThrow(Sv2ProtocolError);
    }
    expect(() => encodeFrame({ ...EXAMPLES.SubmitSharesStandard, nonce: -1 })).toThrow(
      expect.objectContaining({ field: 'SubmitSharesStandard.nonce' }),
    );
    expect(() => encodeMessage({ ...EXAMPLES.SetTarget, maximumTarget: new Uint8Array(33) })).toThrow(
      expect.objectContaining({ field: 'SetTarget.maximumTarget' }),
    );
  });
});
