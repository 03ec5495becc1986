/**
 * fast-check arbitraries producing valid SV2 messages, for property tests here and in the
 * layers built on the codec (Noise session, stratum server). Test-only: imports fast-check.
 */
import fc from 'fast-check';
import type { MessageOf, Sv2Message, Sv2MessageType } from '../types.js';

export const u8 = fc.integer({ min: 0, max: 0xff });
export const u16 = fc.integer({ min: 0, max: 0xffff });
export const u32 = fc.integer({ min: 0, max: 0xffffffff });
export const u64 = fc.bigInt({ min: 0n, max: (1n << 64n) - 1n });
/** Every float32 value, NaN and -0 included. */
export const f32 = fc.float();
export const u256 = fc.uint8Array({ minLength: 32, maxLength: 32 });
/** Strings of at most 255 UTF-8 bytes: any code points (≤ 4 bytes each) or long ASCII. */
export const str0_255 = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 63 }),
  fc.string({ unit: 'binary-ascii', maxLength: 255 }),
);
export const b0_32 = fc.uint8Array({ maxLength: 32 });
export const b0_255 = fc.uint8Array({ maxLength: 255 });
/** Kept small for speed; the length prefix is exercised all the same. */
export const b0_64k = fc.uint8Array({ maxLength: 600 });
export const merklePath = fc.array(u256, { maxLength: 12 });
export const optionU32 = fc.option(u32, { nil: undefined });

const arbitraries: { [K in Sv2MessageType]: fc.Arbitrary<MessageOf<K>> } = {
  SetupConnection: fc.record({
    type: fc.constant('SetupConnection' as const),
    protocol: u8,
    minVersion: u16,
    maxVersion: u16,
    flags: u32,
    endpointHost: str0_255,
    endpointPort: u16,
    vendor: str0_255,
    hardwareVersion: str0_255,
    firmware: str0_255,
    deviceId: str0_255,
  }),
  SetupConnectionSuccess: fc.record({
    type: fc.constant('SetupConnectionSuccess' as const),
    usedVersion: u16,
    flags: u32,
  }),
  SetupConnectionError: fc.record({
    type: fc.constant('SetupConnectionError' as const),
    flags: u32,
    errorCode: str0_255,
  }),
  ChannelEndpointChanged: fc.record({ type: fc.constant('ChannelEndpointChanged' as const), channelId: u32 }),
  Reconnect: fc.record({ type: fc.constant('Reconnect' as const), newHost: str0_255, newPort: u16 }),
  OpenStandardMiningChannel: fc.record({
    type: fc.constant('OpenStandardMiningChannel' as const),
    requestId: u32,
    userIdentity: str0_255,
    nominalHashRate: f32,
    maxTarget: u256,
  }),
  OpenStandardMiningChannelSuccess: fc.record({
    type: fc.constant('OpenStandardMiningChannelSuccess' as const),
    requestId: u32,
    channelId: u32,
    target: u256,
    extranoncePrefix: b0_32,
    groupChannelId: u32,
  }),
  OpenMiningChannelError: fc.record({
    type: fc.constant('OpenMiningChannelError' as const),
    requestId: u32,
    errorCode: str0_255,
  }),
  OpenExtendedMiningChannel: fc.record({
    type: fc.constant('OpenExtendedMiningChannel' as const),
    requestId: u32,
    userIdentity: str0_255,
    nominalHashRate: f32,
    maxTarget: u256,
    minExtranonceSize: u16,
  }),
  OpenExtendedMiningChannelSuccess: fc.record({
    type: fc.constant('OpenExtendedMiningChannelSuccess' as const),
    requestId: u32,
    channelId: u32,
    target: u256,
    extranonceSize: u16,
    extranoncePrefix: b0_32,
    groupChannelId: u32,
  }),
  NewMiningJob: fc.record({
    type: fc.constant('NewMiningJob' as const),
    channelId: u32,
    jobId: u32,
    minNtime: optionU32,
    version: u32,
    merkleRoot: u256,
  }),
  UpdateChannel: fc.record({
    type: fc.constant('UpdateChannel' as const),
    channelId: u32,
    nominalHashRate: f32,
    maximumTarget: u256,
  }),
  UpdateChannelError: fc.record({
    type: fc.constant('UpdateChannelError' as const),
    channelId: u32,
    errorCode: str0_255,
  }),
  CloseChannel: fc.record({
    type: fc.constant('CloseChannel' as const),
    channelId: u32,
    reasonCode: str0_255,
  }),
  SetExtranoncePrefix: fc.record({
    type: fc.constant('SetExtranoncePrefix' as const),
    channelId: u32,
    extranoncePrefix: b0_32,
  }),
  SubmitSharesStandard: fc.record({
    type: fc.constant('SubmitSharesStandard' as const),
    channelId: u32,
    sequenceNumber: u32,
    jobId: u32,
    nonce: u32,
    ntime: u32,
    version: u32,
  }),
  SubmitSharesExtended: fc.record({
    type: fc.constant('SubmitSharesExtended' as const),
    channelId: u32,
    sequenceNumber: u32,
    jobId: u32,
    nonce: u32,
    ntime: u32,
    version: u32,
    extranonce: b0_32,
    userIdentity: fc.option(
      fc.string({ maxLength: 32 }).filter((s) => Buffer.byteLength(s) <= 32),
      { nil: undefined },
    ),
    longUserIdentity: fc.option(
      fc.string({ maxLength: 255 }).filter((s) => Buffer.byteLength(s) <= 255),
      { nil: undefined },
    ),
  }),
  SubmitSharesSuccess: fc.record({
    type: fc.constant('SubmitSharesSuccess' as const),
    channelId: u32,
    lastSequenceNumber: u32,
    newSubmitsAcceptedCount: u32,
    newSharesSum: u64,
  }),
  SubmitSharesError: fc.record({
    type: fc.constant('SubmitSharesError' as const),
    channelId: u32,
    sequenceNumber: u32,
    errorCode: str0_255,
  }),
  NewExtendedMiningJob: fc.record({
    type: fc.constant('NewExtendedMiningJob' as const),
    channelId: u32,
    jobId: u32,
    minNtime: optionU32,
    version: u32,
    versionRollingAllowed: fc.boolean(),
    merklePath,
    coinbaseTxPrefix: b0_64k,
    coinbaseTxSuffix: b0_64k,
  }),
  SetNewPrevHash: fc.record({
    type: fc.constant('SetNewPrevHash' as const),
    channelId: u32,
    jobId: u32,
    prevHash: u256,
    minNtime: u32,
    nbits: u32,
  }),
  SetTarget: fc.record({ type: fc.constant('SetTarget' as const), channelId: u32, maximumTarget: u256 }),
  SetCustomMiningJob: fc.record({
    type: fc.constant('SetCustomMiningJob' as const),
    channelId: u32,
    requestId: u32,
    miningJobToken: b0_255,
    version: u32,
    prevHash: u256,
    minNtime: u32,
    nbits: u32,
    coinbaseTxVersion: u32,
    coinbasePrefix: b0_255,
    coinbaseTxInputNSequence: u32,
    coinbaseTxOutputs: b0_64k,
    coinbaseTxLocktime: u32,
    merklePath,
  }),
  SetCustomMiningJobSuccess: fc.record({
    type: fc.constant('SetCustomMiningJobSuccess' as const),
    channelId: u32,
    requestId: u32,
    jobId: u32,
  }),
  SetCustomMiningJobError: fc.record({
    type: fc.constant('SetCustomMiningJobError' as const),
    channelId: u32,
    requestId: u32,
    errorCode: str0_255,
  }),
  SetGroupChannel: fc.record({
    type: fc.constant('SetGroupChannel' as const),
    groupChannelId: u32,
    channelIds: fc.array(u32, { maxLength: 64 }),
  }),
  RequestExtensions: fc.record({
    type: fc.constant('RequestExtensions' as const),
    requestId: u16,
    requestedExtensions: fc.array(u16, { maxLength: 16 }),
  }),
  RequestExtensionsSuccess: fc.record({
    type: fc.constant('RequestExtensionsSuccess' as const),
    requestId: u16,
    supportedExtensions: fc.array(u16, { maxLength: 16 }),
  }),
  RequestExtensionsError: fc.record({
    type: fc.constant('RequestExtensionsError' as const),
    requestId: u16,
    unsupportedExtensions: fc.array(u16, { maxLength: 16 }),
    requiredExtensions: fc.array(u16, { maxLength: 16 }),
  }),
};

/** A valid message of any type the codec knows. */
export const arbitraryMessage: fc.Arbitrary<Sv2Message> = fc.oneof(
  ...(Object.values(arbitraries) as fc.Arbitrary<Sv2Message>[]),
);
