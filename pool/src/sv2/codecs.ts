import type { Reader } from './reader.js';
import type { MessageOf, Sv2Message, Sv2MessageType } from './types.js';
import { identityTlvsSize, readIdentityTlvs, writeIdentityTlvs } from './tlv.js';
import { sizeOf, type Writer } from './writer.js';

/** How one message type is laid out on the wire. */
export interface MessageCodec<M extends Sv2Message> {
  /** extension_type of its frames (without the channel_msg bit): 0 for core messages. */
  readonly extensionType: number;
  /** msg_type byte ([SPEC] 08-Message-Types.md; [SRI] MESSAGE_TYPE_* constants). */
  readonly msgType: number;
  /** Whether frames of this message set the channel_msg bit ([SRI] CHANNEL_BIT_* constants). */
  readonly channelMsg: boolean;
  /** Exact payload size in bytes. */
  size(m: M): number;
  /** Writes the payload; the writer validates every value. */
  write(w: Writer, m: M): void;
  /** Reads the payload fields in wire order (the caller checks for trailing bytes). */
  read(r: Reader): M;
}

export type CodecTable = { readonly [K in Sv2MessageType]: MessageCodec<MessageOf<K>> };

const readMerklePathItem = (r: Reader): Uint8Array => r.u256('merklePath');
const writeMerklePathItem = (w: Writer, v: Uint8Array): void => w.u256(v, 'merklePath');
const readMinNtime = (r: Reader): number => r.u32('minNtime');
const writeMinNtime = (w: Writer, v: number): void => w.u32(v, 'minNtime');
const readExtensionItem = (r: Reader): number => r.u16('extensions');
const writeExtensionItem = (w: Writer, v: number): void => w.u16(v, 'extensions');
const readChannelIdItem = (r: Reader): number => r.u32('channelIds');
const writeChannelIdItem = (w: Writer, v: number): void => w.u32(v, 'channelIds');

/** Size of a SEQ0_255[U256] / SEQ0_64K[U32] / SEQ0_64K[U16]; `Array.isArray` guard so the writer reports bad values. */
const seqSize = (prefix: number, items: readonly unknown[], itemSize: number): number =>
  prefix + (Array.isArray(items) ? items.length * itemSize : 0);

/**
 * Every Common Protocol and Mining Protocol message ([SPEC] §3.6, §5.3), and Extensions
 * Negotiation (extension 0x0001).
 */
export const CODECS: CodecTable = {
  // ---- Common Protocol ----
  SetupConnection: {
    extensionType: 0,
    msgType: 0x00,
    channelMsg: false,
    size: (m) =>
      1 +
      2 +
      2 +
      4 +
      sizeOf.str0_255(m.endpointHost) +
      2 +
      sizeOf.str0_255(m.vendor) +
      sizeOf.str0_255(m.hardwareVersion) +
      sizeOf.str0_255(m.firmware) +
      sizeOf.str0_255(m.deviceId),
    write: (w, m) => {
      w.u8(m.protocol, 'protocol');
      w.u16(m.minVersion, 'minVersion');
      w.u16(m.maxVersion, 'maxVersion');
      w.u32(m.flags, 'flags');
      w.str0_255(m.endpointHost, 'endpointHost');
      w.u16(m.endpointPort, 'endpointPort');
      w.str0_255(m.vendor, 'vendor');
      w.str0_255(m.hardwareVersion, 'hardwareVersion');
      w.str0_255(m.firmware, 'firmware');
      w.str0_255(m.deviceId, 'deviceId');
    },
    read: (r) => ({
      type: 'SetupConnection',
      protocol: r.u8('protocol'),
      minVersion: r.u16('minVersion'),
      maxVersion: r.u16('maxVersion'),
      flags: r.u32('flags'),
      endpointHost: r.str0_255('endpointHost'),
      endpointPort: r.u16('endpointPort'),
      vendor: r.str0_255('vendor'),
      hardwareVersion: r.str0_255('hardwareVersion'),
      firmware: r.str0_255('firmware'),
      deviceId: r.str0_255('deviceId'),
    }),
  },
  SetupConnectionSuccess: {
    extensionType: 0,
    msgType: 0x01,
    channelMsg: false,
    size: () => 6,
    write: (w, m) => {
      w.u16(m.usedVersion, 'usedVersion');
      w.u32(m.flags, 'flags');
    },
    read: (r) => ({
      type: 'SetupConnectionSuccess',
      usedVersion: r.u16('usedVersion'),
      flags: r.u32('flags'),
    }),
  },
  SetupConnectionError: {
    extensionType: 0,
    msgType: 0x02,
    channelMsg: false,
    size: (m) => 4 + sizeOf.str0_255(m.errorCode),
    write: (w, m) => {
      w.u32(m.flags, 'flags');
      w.str0_255(m.errorCode, 'errorCode');
    },
    read: (r) => ({
      type: 'SetupConnectionError',
      flags: r.u32('flags'),
      errorCode: r.str0_255('errorCode'),
    }),
  },
  ChannelEndpointChanged: {
    extensionType: 0,
    msgType: 0x03,
    channelMsg: true,
    size: () => 4,
    write: (w, m) => w.u32(m.channelId, 'channelId'),
    read: (r) => ({ type: 'ChannelEndpointChanged', channelId: r.u32('channelId') }),
  },
  Reconnect: {
    extensionType: 0,
    msgType: 0x04,
    channelMsg: false,
    size: (m) => sizeOf.str0_255(m.newHost) + 2,
    write: (w, m) => {
      w.str0_255(m.newHost, 'newHost');
      w.u16(m.newPort, 'newPort');
    },
    read: (r) => ({ type: 'Reconnect', newHost: r.str0_255('newHost'), newPort: r.u16('newPort') }),
  },

  // ---- Mining Protocol ----
  OpenStandardMiningChannel: {
    extensionType: 0,
    msgType: 0x10,
    channelMsg: false,
    size: (m) => 4 + sizeOf.str0_255(m.userIdentity) + 4 + 32,
    write: (w, m) => {
      w.u32(m.requestId, 'requestId');
      w.str0_255(m.userIdentity, 'userIdentity');
      w.f32(m.nominalHashRate, 'nominalHashRate');
      w.u256(m.maxTarget, 'maxTarget');
    },
    read: (r) => ({
      type: 'OpenStandardMiningChannel',
      requestId: r.u32('requestId'),
      userIdentity: r.str0_255('userIdentity'),
      nominalHashRate: r.f32('nominalHashRate'),
      maxTarget: r.u256('maxTarget'),
    }),
  },
  OpenStandardMiningChannelSuccess: {
    extensionType: 0,
    msgType: 0x11,
    channelMsg: false,
    size: (m) => 4 + 4 + 32 + sizeOf.b0_32(m.extranoncePrefix) + 4,
    write: (w, m) => {
      w.u32(m.requestId, 'requestId');
      w.u32(m.channelId, 'channelId');
      w.u256(m.target, 'target');
      w.b0_32(m.extranoncePrefix, 'extranoncePrefix');
      w.u32(m.groupChannelId, 'groupChannelId');
    },
    read: (r) => ({
      type: 'OpenStandardMiningChannelSuccess',
      requestId: r.u32('requestId'),
      channelId: r.u32('channelId'),
      target: r.u256('target'),
      extranoncePrefix: r.b0_32('extranoncePrefix'),
      groupChannelId: r.u32('groupChannelId'),
    }),
  },
  OpenMiningChannelError: {
    extensionType: 0,
    msgType: 0x12,
    channelMsg: false,
    size: (m) => 4 + sizeOf.str0_255(m.errorCode),
    write: (w, m) => {
      w.u32(m.requestId, 'requestId');
      w.str0_255(m.errorCode, 'errorCode');
    },
    read: (r) => ({
      type: 'OpenMiningChannelError',
      requestId: r.u32('requestId'),
      errorCode: r.str0_255('errorCode'),
    }),
  },
  OpenExtendedMiningChannel: {
    extensionType: 0,
    msgType: 0x13,
    channelMsg: false,
    size: (m) => 4 + sizeOf.str0_255(m.userIdentity) + 4 + 32 + 2,
    write: (w, m) => {
      w.u32(m.requestId, 'requestId');
      w.str0_255(m.userIdentity, 'userIdentity');
      w.f32(m.nominalHashRate, 'nominalHashRate');
      w.u256(m.maxTarget, 'maxTarget');
      w.u16(m.minExtranonceSize, 'minExtranonceSize');
    },
    read: (r) => ({
      type: 'OpenExtendedMiningChannel',
      requestId: r.u32('requestId'),
      userIdentity: r.str0_255('userIdentity'),
      nominalHashRate: r.f32('nominalHashRate'),
      maxTarget: r.u256('maxTarget'),
      minExtranonceSize: r.u16('minExtranonceSize'),
    }),
  },
  OpenExtendedMiningChannelSuccess: {
    extensionType: 0,
    msgType: 0x14,
    channelMsg: false,
    size: (m) => 4 + 4 + 32 + 2 + sizeOf.b0_32(m.extranoncePrefix) + 4,
    write: (w, m) => {
      w.u32(m.requestId, 'requestId');
      w.u32(m.channelId, 'channelId');
      w.u256(m.target, 'target');
      w.u16(m.extranonceSize, 'extranonceSize');
      w.b0_32(m.extranoncePrefix, 'extranoncePrefix');
      w.u32(m.groupChannelId, 'groupChannelId');
    },
    read: (r) => ({
      type: 'OpenExtendedMiningChannelSuccess',
      requestId: r.u32('requestId'),
      channelId: r.u32('channelId'),
      target: r.u256('target'),
      extranonceSize: r.u16('extranonceSize'),
      extranoncePrefix: r.b0_32('extranoncePrefix'),
      groupChannelId: r.u32('groupChannelId'),
    }),
  },
  NewMiningJob: {
    extensionType: 0,
    msgType: 0x15,
    channelMsg: true,
    size: (m) => 4 + 4 + sizeOf.option(m.minNtime, 4) + 4 + 32,
    write: (w, m) => {
      w.u32(m.channelId, 'channelId');
      w.u32(m.jobId, 'jobId');
      w.option(m.minNtime, 'minNtime', writeMinNtime);
      w.u32(m.version, 'version');
      w.u256(m.merkleRoot, 'merkleRoot');
    },
    read: (r) => ({
      type: 'NewMiningJob',
      channelId: r.u32('channelId'),
      jobId: r.u32('jobId'),
      minNtime: r.option('minNtime', readMinNtime),
      version: r.u32('version'),
      merkleRoot: r.u256('merkleRoot'),
    }),
  },
  UpdateChannel: {
    extensionType: 0,
    msgType: 0x16,
    channelMsg: true,
    size: () => 4 + 4 + 32,
    write: (w, m) => {
      w.u32(m.channelId, 'channelId');
      w.f32(m.nominalHashRate, 'nominalHashRate');
      w.u256(m.maximumTarget, 'maximumTarget');
    },
    read: (r) => ({
      type: 'UpdateChannel',
      channelId: r.u32('channelId'),
      nominalHashRate: r.f32('nominalHashRate'),
      maximumTarget: r.u256('maximumTarget'),
    }),
  },
  UpdateChannelError: {
    extensionType: 0,
    msgType: 0x17,
    channelMsg: true,
    size: (m) => 4 + sizeOf.str0_255(m.errorCode),
    write: (w, m) => {
      w.u32(m.channelId, 'channelId');
      w.str0_255(m.errorCode, 'errorCode');
    },
    read: (r) => ({
      type: 'UpdateChannelError',
      channelId: r.u32('channelId'),
      errorCode: r.str0_255('errorCode'),
    }),
  },
  CloseChannel: {
    extensionType: 0,
    msgType: 0x18,
    channelMsg: true,
    size: (m) => 4 + sizeOf.str0_255(m.reasonCode),
    write: (w, m) => {
      w.u32(m.channelId, 'channelId');
      w.str0_255(m.reasonCode, 'reasonCode');
    },
    read: (r) => ({
      type: 'CloseChannel',
      channelId: r.u32('channelId'),
      reasonCode: r.str0_255('reasonCode'),
    }),
  },
  SetExtranoncePrefix: {
    extensionType: 0,
    msgType: 0x19,
    channelMsg: true,
    size: (m) => 4 + sizeOf.b0_32(m.extranoncePrefix),
    write: (w, m) => {
      w.u32(m.channelId, 'channelId');
      w.b0_32(m.extranoncePrefix, 'extranoncePrefix');
    },
    read: (r) => ({
      type: 'SetExtranoncePrefix',
      channelId: r.u32('channelId'),
      extranoncePrefix: r.b0_32('extranoncePrefix'),
    }),
  },
  SubmitSharesStandard: {
    extensionType: 0,
    msgType: 0x1a,
    channelMsg: true,
    size: () => 24,
    write: (w, m) => {
      w.u32(m.channelId, 'channelId');
      w.u32(m.sequenceNumber, 'sequenceNumber');
      w.u32(m.jobId, 'jobId');
      w.u32(m.nonce, 'nonce');
      w.u32(m.ntime, 'ntime');
      w.u32(m.version, 'version');
    },
    read: (r) => ({
      type: 'SubmitSharesStandard',
      channelId: r.u32('channelId'),
      sequenceNumber: r.u32('sequenceNumber'),
      jobId: r.u32('jobId'),
      nonce: r.u32('nonce'),
      ntime: r.u32('ntime'),
      version: r.u32('version'),
    }),
  },
  SubmitSharesExtended: {
    extensionType: 0,
    msgType: 0x1b,
    channelMsg: true,
    size: (m) => 24 + sizeOf.b0_32(m.extranonce) + identityTlvsSize(m),
    write: (w, m) => {
      w.u32(m.channelId, 'channelId');
      w.u32(m.sequenceNumber, 'sequenceNumber');
      w.u32(m.jobId, 'jobId');
      w.u32(m.nonce, 'nonce');
      w.u32(m.ntime, 'ntime');
      w.u32(m.version, 'version');
      w.b0_32(m.extranonce, 'extranonce');
      writeIdentityTlvs(w, m);
    },
    read: (r) => {
      const msg: MessageOf<'SubmitSharesExtended'> = {
        type: 'SubmitSharesExtended',
        channelId: r.u32('channelId'),
        sequenceNumber: r.u32('sequenceNumber'),
        jobId: r.u32('jobId'),
        nonce: r.u32('nonce'),
        ntime: r.u32('ntime'),
        version: r.u32('version'),
        extranonce: r.b0_32('extranonce'),
        userIdentity: undefined,
        longUserIdentity: undefined,
      };
      // Extension TLVs fill the rest of the payload (so there are never trailing bytes here).
      const tlvs = readIdentityTlvs(r);
      msg.userIdentity = tlvs.userIdentity;
      msg.longUserIdentity = tlvs.longUserIdentity;
      return msg;
    },
  },
  SubmitSharesSuccess: {
    extensionType: 0,
    msgType: 0x1c,
    channelMsg: true,
    size: () => 20,
    write: (w, m) => {
      w.u32(m.channelId, 'channelId');
      w.u32(m.lastSequenceNumber, 'lastSequenceNumber');
      w.u32(m.newSubmitsAcceptedCount, 'newSubmitsAcceptedCount');
      w.u64(m.newSharesSum, 'newSharesSum');
    },
    read: (r) => ({
      type: 'SubmitSharesSuccess',
      channelId: r.u32('channelId'),
      lastSequenceNumber: r.u32('lastSequenceNumber'),
      newSubmitsAcceptedCount: r.u32('newSubmitsAcceptedCount'),
      newSharesSum: r.u64('newSharesSum'),
    }),
  },
  SubmitSharesError: {
    extensionType: 0,
    msgType: 0x1d,
    channelMsg: true,
    size: (m) => 8 + sizeOf.str0_255(m.errorCode),
    write: (w, m) => {
      w.u32(m.channelId, 'channelId');
      w.u32(m.sequenceNumber, 'sequenceNumber');
      w.str0_255(m.errorCode, 'errorCode');
    },
    read: (r) => ({
      type: 'SubmitSharesError',
      channelId: r.u32('channelId'),
      sequenceNumber: r.u32('sequenceNumber'),
      errorCode: r.str0_255('errorCode'),
    }),
  },
  // 0x1e is Reserved in [SPEC] 08-Message-Types.md.
  NewExtendedMiningJob: {
    extensionType: 0,
    msgType: 0x1f,
    channelMsg: true,
    size: (m) =>
      4 +
      4 +
      sizeOf.option(m.minNtime, 4) +
      4 +
      1 +
      seqSize(1, m.merklePath, 32) +
      sizeOf.b0_64k(m.coinbaseTxPrefix) +
      sizeOf.b0_64k(m.coinbaseTxSuffix),
    write: (w, m) => {
      w.u32(m.channelId, 'channelId');
      w.u32(m.jobId, 'jobId');
      w.option(m.minNtime, 'minNtime', writeMinNtime);
      w.u32(m.version, 'version');
      w.bool(m.versionRollingAllowed, 'versionRollingAllowed');
      w.seq0_255(m.merklePath, 'merklePath', writeMerklePathItem);
      w.b0_64k(m.coinbaseTxPrefix, 'coinbaseTxPrefix');
      w.b0_64k(m.coinbaseTxSuffix, 'coinbaseTxSuffix');
    },
    read: (r) => ({
      type: 'NewExtendedMiningJob',
      channelId: r.u32('channelId'),
      jobId: r.u32('jobId'),
      minNtime: r.option('minNtime', readMinNtime),
      version: r.u32('version'),
      versionRollingAllowed: r.bool('versionRollingAllowed'),
      merklePath: r.seq0_255('merklePath', 32, readMerklePathItem),
      coinbaseTxPrefix: r.b0_64k('coinbaseTxPrefix'),
      coinbaseTxSuffix: r.b0_64k('coinbaseTxSuffix'),
    }),
  },
  SetNewPrevHash: {
    extensionType: 0,
    msgType: 0x20,
    channelMsg: true,
    size: () => 4 + 4 + 32 + 4 + 4,
    write: (w, m) => {
      w.u32(m.channelId, 'channelId');
      w.u32(m.jobId, 'jobId');
      w.u256(m.prevHash, 'prevHash');
      w.u32(m.minNtime, 'minNtime');
      w.u32(m.nbits, 'nbits');
    },
    read: (r) => ({
      type: 'SetNewPrevHash',
      channelId: r.u32('channelId'),
      jobId: r.u32('jobId'),
      prevHash: r.u256('prevHash'),
      minNtime: r.u32('minNtime'),
      nbits: r.u32('nbits'),
    }),
  },
  SetTarget: {
    extensionType: 0,
    msgType: 0x21,
    channelMsg: true,
    size: () => 4 + 32,
    write: (w, m) => {
      w.u32(m.channelId, 'channelId');
      w.u256(m.maximumTarget, 'maximumTarget');
    },
    read: (r) => ({
      type: 'SetTarget',
      channelId: r.u32('channelId'),
      maximumTarget: r.u256('maximumTarget'),
    }),
  },
  SetCustomMiningJob: {
    extensionType: 0,
    msgType: 0x22,
    channelMsg: true,
    size: (m) =>
      4 +
      4 +
      sizeOf.b0_255(m.miningJobToken) +
      4 +
      32 +
      4 +
      4 +
      4 +
      sizeOf.b0_255(m.coinbasePrefix) +
      4 +
      sizeOf.b0_64k(m.coinbaseTxOutputs) +
      4 +
      seqSize(1, m.merklePath, 32),
    write: (w, m) => {
      w.u32(m.channelId, 'channelId');
      w.u32(m.requestId, 'requestId');
      w.b0_255(m.miningJobToken, 'miningJobToken');
      w.u32(m.version, 'version');
      w.u256(m.prevHash, 'prevHash');
      w.u32(m.minNtime, 'minNtime');
      w.u32(m.nbits, 'nbits');
      w.u32(m.coinbaseTxVersion, 'coinbaseTxVersion');
      w.b0_255(m.coinbasePrefix, 'coinbasePrefix');
      w.u32(m.coinbaseTxInputNSequence, 'coinbaseTxInputNSequence');
      w.b0_64k(m.coinbaseTxOutputs, 'coinbaseTxOutputs');
      w.u32(m.coinbaseTxLocktime, 'coinbaseTxLocktime');
      w.seq0_255(m.merklePath, 'merklePath', writeMerklePathItem);
    },
    read: (r) => ({
      type: 'SetCustomMiningJob',
      channelId: r.u32('channelId'),
      requestId: r.u32('requestId'),
      miningJobToken: r.b0_255('miningJobToken'),
      version: r.u32('version'),
      prevHash: r.u256('prevHash'),
      minNtime: r.u32('minNtime'),
      nbits: r.u32('nbits'),
      coinbaseTxVersion: r.u32('coinbaseTxVersion'),
      coinbasePrefix: r.b0_255('coinbasePrefix'),
      coinbaseTxInputNSequence: r.u32('coinbaseTxInputNSequence'),
      coinbaseTxOutputs: r.b0_64k('coinbaseTxOutputs'),
      coinbaseTxLocktime: r.u32('coinbaseTxLocktime'),
      merklePath: r.seq0_255('merklePath', 32, readMerklePathItem),
    }),
  },
  SetCustomMiningJobSuccess: {
    extensionType: 0,
    msgType: 0x23,
    channelMsg: true,
    size: () => 12,
    write: (w, m) => {
      w.u32(m.channelId, 'channelId');
      w.u32(m.requestId, 'requestId');
      w.u32(m.jobId, 'jobId');
    },
    read: (r) => ({
      type: 'SetCustomMiningJobSuccess',
      channelId: r.u32('channelId'),
      requestId: r.u32('requestId'),
      jobId: r.u32('jobId'),
    }),
  },
  SetCustomMiningJobError: {
    extensionType: 0,
    msgType: 0x24,
    channelMsg: true,
    size: (m) => 8 + sizeOf.str0_255(m.errorCode),
    write: (w, m) => {
      w.u32(m.channelId, 'channelId');
      w.u32(m.requestId, 'requestId');
      w.str0_255(m.errorCode, 'errorCode');
    },
    read: (r) => ({
      type: 'SetCustomMiningJobError',
      channelId: r.u32('channelId'),
      requestId: r.u32('requestId'),
      errorCode: r.str0_255('errorCode'),
    }),
  },
  SetGroupChannel: {
    extensionType: 0,
    msgType: 0x25,
    channelMsg: false,
    size: (m) => 4 + seqSize(2, m.channelIds, 4),
    write: (w, m) => {
      w.u32(m.groupChannelId, 'groupChannelId');
      w.seq0_64k(m.channelIds, 'channelIds', writeChannelIdItem);
    },
    read: (r) => ({
      type: 'SetGroupChannel',
      groupChannelId: r.u32('groupChannelId'),
      channelIds: r.seq0_64k('channelIds', 4, readChannelIdItem),
    }),
  },
  // ---- Extension 0x0001: Extensions Negotiation ----
  RequestExtensions: {
    extensionType: 0x0001,
    msgType: 0x00,
    channelMsg: false,
    size: (m) => 2 + seqSize(2, m.requestedExtensions, 2),
    write: (w, m) => {
      w.u16(m.requestId, 'requestId');
      w.seq0_64k(m.requestedExtensions, 'requestedExtensions', writeExtensionItem);
    },
    read: (r) => ({
      type: 'RequestExtensions',
      requestId: r.u16('requestId'),
      requestedExtensions: r.seq0_64k('requestedExtensions', 2, readExtensionItem),
    }),
  },
  RequestExtensionsSuccess: {
    extensionType: 0x0001,
    msgType: 0x01,
    channelMsg: false,
    size: (m) => 2 + seqSize(2, m.supportedExtensions, 2),
    write: (w, m) => {
      w.u16(m.requestId, 'requestId');
      w.seq0_64k(m.supportedExtensions, 'supportedExtensions', writeExtensionItem);
    },
    read: (r) => ({
      type: 'RequestExtensionsSuccess',
      requestId: r.u16('requestId'),
      supportedExtensions: r.seq0_64k('supportedExtensions', 2, readExtensionItem),
    }),
  },
  RequestExtensionsError: {
    extensionType: 0x0001,
    msgType: 0x02,
    channelMsg: false,
    size: (m) => 2 + seqSize(2, m.unsupportedExtensions, 2) + seqSize(2, m.requiredExtensions, 2),
    write: (w, m) => {
      w.u16(m.requestId, 'requestId');
      w.seq0_64k(m.unsupportedExtensions, 'unsupportedExtensions', writeExtensionItem);
      w.seq0_64k(m.requiredExtensions, 'requiredExtensions', writeExtensionItem);
    },
    read: (r) => ({
      type: 'RequestExtensionsError',
      requestId: r.u16('requestId'),
      unsupportedExtensions: r.seq0_64k('unsupportedExtensions', 2, readExtensionItem),
      requiredExtensions: r.seq0_64k('requiredExtensions', 2, readExtensionItem),
    }),
  },
};
