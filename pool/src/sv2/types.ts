/**
 * SV2 Common Protocol and Mining Protocol messages (plus the three messages of extension
 * 0x0001, Extensions Negotiation) as plain typed objects: a
 * discriminated union on `type` (the spec's message name without the dot), fields are the
 * spec's field names in camelCase, in wire order. Data types map as follows:
 * U8/U16/U24/U32 → number, U64 → bigint, F32 → number, BOOL → boolean, STR0_255 → string,
 * U256/B0_* → Uint8Array (wire bytes as-is; U256 is 32 little-endian bytes), SEQ → array,
 * OPTION[T] → T | undefined.
 *
 * Sources: [SPEC] stratum-mining/sv2-spec 03-Protocol-Overview.md §3.6 and
 * 05-Mining-Protocol.md §5.3 @ 0f38d51; field order checked against [SRI]
 * stratum-mining/stratum sv2/subprotocols/{common-messages,mining}/src/*.rs @ 2680220.
 */

// ---- Common Protocol ([SPEC] §3.6) ----

/** 0x00, client → server, first message on a connection. */
export interface SetupConnection {
  type: 'SetupConnection';
  /** 0 = Mining, 1 = Job Declaration, 2 = Template Distribution (see `Sv2Protocol`). */
  protocol: number;
  minVersion: number;
  maxVersion: number;
  flags: number;
  endpointHost: string;
  endpointPort: number;
  vendor: string;
  hardwareVersion: string;
  firmware: string;
  deviceId: string;
}

/** 0x01 */
export interface SetupConnectionSuccess {
  type: 'SetupConnectionSuccess';
  usedVersion: number;
  flags: number;
}

/** 0x02 */
export interface SetupConnectionError {
  type: 'SetupConnectionError';
  flags: number;
  errorCode: string;
}

/** 0x03, channel message. */
export interface ChannelEndpointChanged {
  type: 'ChannelEndpointChanged';
  channelId: number;
}

/** 0x04 */
export interface Reconnect {
  type: 'Reconnect';
  /** Empty = reconnect to the present host. */
  newHost: string;
  /** 0 = the present port. */
  newPort: number;
}

// ---- Mining Protocol ([SPEC] §5.3) ----

/** 0x10, client → server. */
export interface OpenStandardMiningChannel {
  type: 'OpenStandardMiningChannel';
  requestId: number;
  userIdentity: string;
  /** F32, hashes per second. */
  nominalHashRate: number;
  maxTarget: Uint8Array;
}

/** 0x11 */
export interface OpenStandardMiningChannelSuccess {
  type: 'OpenStandardMiningChannelSuccess';
  requestId: number;
  channelId: number;
  target: Uint8Array;
  extranoncePrefix: Uint8Array;
  groupChannelId: number;
}

/** 0x12 (OpenMiningChannel.Error, for both channel kinds) */
export interface OpenMiningChannelError {
  type: 'OpenMiningChannelError';
  requestId: number;
  errorCode: string;
}

/** 0x13, client → server. */
export interface OpenExtendedMiningChannel {
  type: 'OpenExtendedMiningChannel';
  requestId: number;
  userIdentity: string;
  nominalHashRate: number;
  maxTarget: Uint8Array;
  minExtranonceSize: number;
}

/** 0x14 */
export interface OpenExtendedMiningChannelSuccess {
  type: 'OpenExtendedMiningChannelSuccess';
  requestId: number;
  channelId: number;
  target: Uint8Array;
  extranonceSize: number;
  extranoncePrefix: Uint8Array;
  groupChannelId: number;
}

/** 0x15, channel message (standard channels). */
export interface NewMiningJob {
  type: 'NewMiningJob';
  channelId: number;
  jobId: number;
  /** OPTION[U32]: undefined = future job, activated by a SetNewPrevHash with this jobId. */
  minNtime: number | undefined;
  version: number;
  merkleRoot: Uint8Array;
}

/** 0x16, channel message, client → server. */
export interface UpdateChannel {
  type: 'UpdateChannel';
  channelId: number;
  nominalHashRate: number;
  maximumTarget: Uint8Array;
}

/** 0x17, channel message. */
export interface UpdateChannelError {
  type: 'UpdateChannelError';
  channelId: number;
  errorCode: string;
}

/** 0x18, channel message, both directions. */
export interface CloseChannel {
  type: 'CloseChannel';
  channelId: number;
  reasonCode: string;
}

/** 0x19, channel message. */
export interface SetExtranoncePrefix {
  type: 'SetExtranoncePrefix';
  channelId: number;
  extranoncePrefix: Uint8Array;
}

/** 0x1a, channel message. */
export interface SubmitSharesStandard {
  type: 'SubmitSharesStandard';
  channelId: number;
  sequenceNumber: number;
  jobId: number;
  nonce: number;
  ntime: number;
  version: number;
}

/** 0x1b, channel message. */
export interface SubmitSharesExtended {
  type: 'SubmitSharesExtended';
  channelId: number;
  sequenceNumber: number;
  jobId: number;
  nonce: number;
  ntime: number;
  version: number;
  extranonce: Uint8Array;
  /**
   * Extension 0x0002 (Worker-Specific Hashrate Tracking): the worker's `user_identity` (<= 32
   * UTF-8 bytes), a TLV after the fields; undefined = no TLV. Decoded whether or not the extension
   * was negotiated: a receiver that did not negotiate it ignores the value (see ./tlv.ts).
   */
  userIdentity?: string | undefined;
  /** Eaglepool's extension 0x4e01: the same for names up to 255 bytes (see ./tlv.ts). */
  longUserIdentity?: string | undefined;
}

/** 0x1c (SubmitShares.Success), channel message. */
export interface SubmitSharesSuccess {
  type: 'SubmitSharesSuccess';
  channelId: number;
  lastSequenceNumber: number;
  newSubmitsAcceptedCount: number;
  /** U64: sum of the difficulty of the shares acknowledged in this batch. */
  newSharesSum: bigint;
}

/** 0x1d (SubmitShares.Error), channel message. */
export interface SubmitSharesError {
  type: 'SubmitSharesError';
  channelId: number;
  sequenceNumber: number;
  errorCode: string;
}

/** 0x1f, channel message (extended and group channels). */
export interface NewExtendedMiningJob {
  type: 'NewExtendedMiningJob';
  channelId: number;
  jobId: number;
  minNtime: number | undefined;
  version: number;
  versionRollingAllowed: boolean;
  /** SEQ0_255[U256] */
  merklePath: Uint8Array[];
  /** B0_64K */
  coinbaseTxPrefix: Uint8Array;
  /** B0_64K */
  coinbaseTxSuffix: Uint8Array;
}

/** 0x20, channel message: the Mining Protocol's SetNewPrevHash (not the TDP one, 0x72). */
export interface SetNewPrevHash {
  type: 'SetNewPrevHash';
  channelId: number;
  jobId: number;
  prevHash: Uint8Array;
  minNtime: number;
  nbits: number;
}

/** 0x21, channel message. */
export interface SetTarget {
  type: 'SetTarget';
  channelId: number;
  maximumTarget: Uint8Array;
}

/** 0x22, channel message, client → server. */
export interface SetCustomMiningJob {
  type: 'SetCustomMiningJob';
  channelId: number;
  requestId: number;
  /** B0_255 */
  miningJobToken: Uint8Array;
  version: number;
  prevHash: Uint8Array;
  minNtime: number;
  nbits: number;
  coinbaseTxVersion: number;
  /** B0_255 */
  coinbasePrefix: Uint8Array;
  /** Spec name `coinbase_tx_input_nSequence`. */
  coinbaseTxInputNSequence: number;
  /** B0_64K */
  coinbaseTxOutputs: Uint8Array;
  coinbaseTxLocktime: number;
  /** SEQ0_255[U256] */
  merklePath: Uint8Array[];
}

/** 0x23, channel message. */
export interface SetCustomMiningJobSuccess {
  type: 'SetCustomMiningJobSuccess';
  channelId: number;
  requestId: number;
  jobId: number;
}

/** 0x24, channel message. */
export interface SetCustomMiningJobError {
  type: 'SetCustomMiningJobError';
  channelId: number;
  requestId: number;
  errorCode: string;
}

/** 0x25, not a channel message (group_channel_id comes first). */
export interface SetGroupChannel {
  type: 'SetGroupChannel';
  groupChannelId: number;
  /** SEQ0_64K[U32] */
  channelIds: number[];
}

// ---- Extension 0x0001, Extensions Negotiation ([SPEC] extensions/0x0001-extensions-negotiation.md) ----
// Frames carry extension_type 0x0001. The pool supports extension 0x0002 (user_identity TLV on
// SubmitSharesExtended, see ./tlv.ts); clients must wait for the answer before other messages.

/** 0x00 (extension 0x0001), client → server, right after SetupConnection.Success. */
export interface RequestExtensions {
  type: 'RequestExtensions';
  requestId: number;
  /** SEQ0_64K[U16] */
  requestedExtensions: number[];
}

/** 0x01 (extension 0x0001) */
export interface RequestExtensionsSuccess {
  type: 'RequestExtensionsSuccess';
  requestId: number;
  /** SEQ0_64K[U16] */
  supportedExtensions: number[];
}

/** 0x02 (extension 0x0001) */
export interface RequestExtensionsError {
  type: 'RequestExtensionsError';
  requestId: number;
  /** SEQ0_64K[U16] */
  unsupportedExtensions: number[];
  /** SEQ0_64K[U16]: extensions the server requires that the client did not request. */
  requiredExtensions: number[];
}

export type CommonMessage =
  SetupConnection | SetupConnectionSuccess | SetupConnectionError | ChannelEndpointChanged | Reconnect;

export type MiningMessage =
  | OpenStandardMiningChannel
  | OpenStandardMiningChannelSuccess
  | OpenMiningChannelError
  | OpenExtendedMiningChannel
  | OpenExtendedMiningChannelSuccess
  | NewMiningJob
  | UpdateChannel
  | UpdateChannelError
  | CloseChannel
  | SetExtranoncePrefix
  | SubmitSharesStandard
  | SubmitSharesExtended
  | SubmitSharesSuccess
  | SubmitSharesError
  | NewExtendedMiningJob
  | SetNewPrevHash
  | SetTarget
  | SetCustomMiningJob
  | SetCustomMiningJobSuccess
  | SetCustomMiningJobError
  | SetGroupChannel;

export type ExtensionsNegotiationMessage =
  RequestExtensions | RequestExtensionsSuccess | RequestExtensionsError;

export type Sv2Message = CommonMessage | MiningMessage | ExtensionsNegotiationMessage;
export type Sv2MessageType = Sv2Message['type'];
/** The message object of one type, e.g. `MessageOf<'SetTarget'>`. */
export type MessageOf<T extends Sv2MessageType> = Extract<Sv2Message, { type: T }>;
