/**
 * Every SV2 message this codec knows, described once: its ids and its fields in wire order with
 * their data types. The TypeScript message types (./types.ts) and the encoder, decoder and size of
 * each message (./codecs.ts) are derived from this table; nothing else lists the fields.
 *
 * Common Protocol and Mining Protocol messages ([SPEC] stratum-mining/sv2-spec
 * 03-Protocol-Overview.md §3.6, 05-Mining-Protocol.md §5.3 @ 0f38d51; field order checked against
 * [SRI] stratum-mining/stratum sv2/subprotocols/{common-messages,mining}/src/*.rs @ 2680220), plus
 * the three messages of extension 0x0001, Extensions Negotiation
 * ([SPEC] extensions/0x0001-extensions-negotiation.md). Field names are the spec's in camelCase.
 */

/**
 * The data types fields use ([SPEC] §3.2) and the TypeScript value of each: U256 and B0_* are the
 * wire bytes as-is (U256 is 32 little-endian bytes), U64 is a bigint, OPTION[T] is T | undefined.
 */
export interface FieldValues {
  u8: number;
  u16: number;
  u32: number;
  u64: bigint;
  f32: number;
  bool: boolean;
  u256: Uint8Array;
  str0_255: string;
  b0_32: Uint8Array;
  b0_255: Uint8Array;
  b0_64k: Uint8Array;
  'option<u32>': number | undefined;
  'seq0_255<u256>': Uint8Array[];
  'seq0_64k<u32>': number[];
  'seq0_64k<u16>': number[];
}
export type FieldType = keyof FieldValues;

export interface MessageSpec {
  /** extension_type of its frames (without the channel_msg bit): 0 for core messages. */
  readonly extensionType: number;
  /** msg_type byte ([SPEC] 08-Message-Types.md; [SRI] MESSAGE_TYPE_* constants). */
  readonly msgType: number;
  /** Whether frames of this message set the channel_msg bit ([SRI] CHANNEL_BIT_* constants). */
  readonly channelMsg: boolean;
  /** Field name → data type, in wire order. */
  readonly fields: { readonly [name: string]: FieldType };
  /**
   * Extension TLVs fill the rest of the payload: `userIdentity` (extension 0x0002) and
   * `longUserIdentity` (Eaglepool's 0x4e01), see ./tlv.ts.
   */
  readonly identityTlvs?: true;
  /** The nonce layout TLV (Eaglepool's extension 0x4e02) fills the rest of the payload, see ./tlv.ts. */
  readonly nonceLayoutTlv?: true;
}

const core = { extensionType: 0, channelMsg: false } as const;
const channel = { extensionType: 0, channelMsg: true } as const;
const negotiation = { extensionType: 0x0001, channelMsg: false } as const;

export const MESSAGES = {
  // ---- Common Protocol ([SPEC] §3.6) ----
  /** Client → server, the first message on a connection. */
  SetupConnection: {
    ...core,
    msgType: 0x00,
    fields: {
      /** 0 = Mining, 1 = Job Declaration, 2 = Template Distribution (see `Sv2Protocol`). */
      protocol: 'u8',
      minVersion: 'u16',
      maxVersion: 'u16',
      flags: 'u32',
      endpointHost: 'str0_255',
      endpointPort: 'u16',
      vendor: 'str0_255',
      hardwareVersion: 'str0_255',
      firmware: 'str0_255',
      deviceId: 'str0_255',
    },
  },
  SetupConnectionSuccess: { ...core, msgType: 0x01, fields: { usedVersion: 'u16', flags: 'u32' } },
  SetupConnectionError: { ...core, msgType: 0x02, fields: { flags: 'u32', errorCode: 'str0_255' } },
  ChannelEndpointChanged: { ...channel, msgType: 0x03, fields: { channelId: 'u32' } },
  Reconnect: {
    ...core,
    msgType: 0x04,
    fields: {
      /** Empty = reconnect to the present host. */
      newHost: 'str0_255',
      /** 0 = the present port. */
      newPort: 'u16',
    },
  },

  // ---- Mining Protocol ([SPEC] §5.3) ----
  /** Client → server. */
  OpenStandardMiningChannel: {
    ...core,
    msgType: 0x10,
    fields: {
      requestId: 'u32',
      userIdentity: 'str0_255',
      /** F32, hashes per second. */
      nominalHashRate: 'f32',
      maxTarget: 'u256',
    },
    nonceLayoutTlv: true,
  },
  OpenStandardMiningChannelSuccess: {
    ...core,
    msgType: 0x11,
    fields: {
      requestId: 'u32',
      channelId: 'u32',
      target: 'u256',
      extranoncePrefix: 'b0_32',
      groupChannelId: 'u32',
    },
  },
  /** OpenMiningChannel.Error, for both channel kinds. */
  OpenMiningChannelError: { ...core, msgType: 0x12, fields: { requestId: 'u32', errorCode: 'str0_255' } },
  /** Client → server. */
  OpenExtendedMiningChannel: {
    ...core,
    msgType: 0x13,
    fields: {
      requestId: 'u32',
      userIdentity: 'str0_255',
      nominalHashRate: 'f32',
      maxTarget: 'u256',
      minExtranonceSize: 'u16',
    },
    nonceLayoutTlv: true,
  },
  OpenExtendedMiningChannelSuccess: {
    ...core,
    msgType: 0x14,
    fields: {
      requestId: 'u32',
      channelId: 'u32',
      target: 'u256',
      extranonceSize: 'u16',
      extranoncePrefix: 'b0_32',
      groupChannelId: 'u32',
    },
  },
  /** Standard channels. */
  NewMiningJob: {
    ...channel,
    msgType: 0x15,
    fields: {
      channelId: 'u32',
      jobId: 'u32',
      /** OPTION[U32]: undefined = future job, activated by a SetNewPrevHash with this jobId. */
      minNtime: 'option<u32>',
      version: 'u32',
      merkleRoot: 'u256',
    },
  },
  /** Client → server. */
  UpdateChannel: {
    ...channel,
    msgType: 0x16,
    fields: { channelId: 'u32', nominalHashRate: 'f32', maximumTarget: 'u256' },
  },
  UpdateChannelError: { ...channel, msgType: 0x17, fields: { channelId: 'u32', errorCode: 'str0_255' } },
  /** Both directions. */
  CloseChannel: { ...channel, msgType: 0x18, fields: { channelId: 'u32', reasonCode: 'str0_255' } },
  SetExtranoncePrefix: {
    ...channel,
    msgType: 0x19,
    fields: { channelId: 'u32', extranoncePrefix: 'b0_32' },
  },
  SubmitSharesStandard: {
    ...channel,
    msgType: 0x1a,
    fields: {
      channelId: 'u32',
      sequenceNumber: 'u32',
      jobId: 'u32',
      nonce: 'u32',
      ntime: 'u32',
      version: 'u32',
    },
  },
  SubmitSharesExtended: {
    ...channel,
    msgType: 0x1b,
    fields: {
      channelId: 'u32',
      sequenceNumber: 'u32',
      jobId: 'u32',
      nonce: 'u32',
      ntime: 'u32',
      version: 'u32',
      extranonce: 'b0_32',
    },
    identityTlvs: true,
  },
  /** SubmitShares.Success. */
  SubmitSharesSuccess: {
    ...channel,
    msgType: 0x1c,
    fields: {
      channelId: 'u32',
      lastSequenceNumber: 'u32',
      newSubmitsAcceptedCount: 'u32',
      /** U64: sum of the difficulty of the shares acknowledged in this batch. */
      newSharesSum: 'u64',
    },
  },
  /** SubmitShares.Error. */
  SubmitSharesError: {
    ...channel,
    msgType: 0x1d,
    fields: { channelId: 'u32', sequenceNumber: 'u32', errorCode: 'str0_255' },
  },
  // 0x1e is Reserved in [SPEC] 08-Message-Types.md.
  /** Extended and group channels. */
  NewExtendedMiningJob: {
    ...channel,
    msgType: 0x1f,
    fields: {
      channelId: 'u32',
      jobId: 'u32',
      minNtime: 'option<u32>',
      version: 'u32',
      versionRollingAllowed: 'bool',
      merklePath: 'seq0_255<u256>',
      coinbaseTxPrefix: 'b0_64k',
      coinbaseTxSuffix: 'b0_64k',
    },
  },
  /** The Mining Protocol's SetNewPrevHash (not the Template Distribution one, 0x72). */
  SetNewPrevHash: {
    ...channel,
    msgType: 0x20,
    fields: { channelId: 'u32', jobId: 'u32', prevHash: 'u256', minNtime: 'u32', nbits: 'u32' },
  },
  SetTarget: { ...channel, msgType: 0x21, fields: { channelId: 'u32', maximumTarget: 'u256' } },
  /** Client → server. */
  SetCustomMiningJob: {
    ...channel,
    msgType: 0x22,
    fields: {
      channelId: 'u32',
      requestId: 'u32',
      miningJobToken: 'b0_255',
      version: 'u32',
      prevHash: 'u256',
      minNtime: 'u32',
      nbits: 'u32',
      coinbaseTxVersion: 'u32',
      coinbasePrefix: 'b0_255',
      /** Spec name `coinbase_tx_input_nSequence`. */
      coinbaseTxInputNSequence: 'u32',
      coinbaseTxOutputs: 'b0_64k',
      coinbaseTxLocktime: 'u32',
      merklePath: 'seq0_255<u256>',
    },
  },
  SetCustomMiningJobSuccess: {
    ...channel,
    msgType: 0x23,
    fields: { channelId: 'u32', requestId: 'u32', jobId: 'u32' },
  },
  SetCustomMiningJobError: {
    ...channel,
    msgType: 0x24,
    fields: { channelId: 'u32', requestId: 'u32', errorCode: 'str0_255' },
  },
  /** Not a channel message (group_channel_id comes first). */
  SetGroupChannel: {
    ...core,
    msgType: 0x25,
    fields: { groupChannelId: 'u32', channelIds: 'seq0_64k<u32>' },
  },

  // ---- Extension 0x0001, Extensions Negotiation: frames carry extension_type 0x0001. The pool
  // supports extension 0x0002 (user_identity TLV on SubmitSharesExtended, see ./tlv.ts); clients
  // must wait for the answer before other messages. ----
  /** Client → server, right after SetupConnection.Success. */
  RequestExtensions: {
    ...negotiation,
    msgType: 0x00,
    fields: { requestId: 'u16', requestedExtensions: 'seq0_64k<u16>' },
  },
  RequestExtensionsSuccess: {
    ...negotiation,
    msgType: 0x01,
    fields: { requestId: 'u16', supportedExtensions: 'seq0_64k<u16>' },
  },
  RequestExtensionsError: {
    ...negotiation,
    msgType: 0x02,
    fields: {
      requestId: 'u16',
      unsupportedExtensions: 'seq0_64k<u16>',
      /** Extensions the server requires that the client did not request. */
      requiredExtensions: 'seq0_64k<u16>',
    },
  },
} as const satisfies { readonly [name: string]: MessageSpec };
