/**
 * SV2 messages as plain typed objects, derived from the one description in ./schema.ts: a
 * discriminated union on `type` (the spec's message name without the dot); fields are the spec's
 * field names in camelCase, in wire order, typed by their data type (`FieldValues`: U8/U16/U24/U32
 * → number, U64 → bigint, F32 → number, BOOL → boolean, STR0_255 → string, U256/B0_* → Uint8Array,
 * SEQ → array, OPTION[T] → T | undefined).
 */
import type { FieldType, FieldValues, MESSAGES } from './schema.js';

type Schema = typeof MESSAGES;
export type Sv2MessageType = keyof Schema;

/**
 * Extension TLVs after SubmitSharesExtended's fields. `userIdentity`: extension 0x0002
 * (Worker-Specific Hashrate Tracking), the worker's `user_identity` (<= 32 UTF-8 bytes); undefined =
 * no TLV. Decoded whether or not the extension was negotiated: a receiver that did not negotiate it
 * ignores the value (see ./tlv.ts). `longUserIdentity`: Eaglepool's extension 0x4e01, the same for
 * names up to 255 bytes.
 */
export interface IdentityTlvFields {
  userIdentity?: string | undefined;
  longUserIdentity?: string | undefined;
}

/** Eaglepool's extension 0x4e02 on channel-open messages: 1 asks for the prefix-last nonce layout. */
export interface NonceLayoutTlvFields {
  nonceLayout?: number | undefined;
}

type FieldsOf<F> = { -readonly [K in keyof F]: F[K] extends FieldType ? FieldValues[F[K]] : never };
type Flat<T> = { [K in keyof T]: T[K] } & {};

/** The message object of one type, e.g. `MessageOf<'SetTarget'>` (of a union of types: their union). */
export type MessageOf<T extends Sv2MessageType> = T extends Sv2MessageType
  ? Flat<
      { type: T } & FieldsOf<Schema[T]['fields']> &
        (Schema[T] extends { identityTlvs: true } ? IdentityTlvFields : unknown) &
        (Schema[T] extends { nonceLayoutTlv: true } ? NonceLayoutTlvFields : unknown)
    >
  : never;

export type Sv2Message = { [T in Sv2MessageType]: MessageOf<T> }[Sv2MessageType];

// ---- Common Protocol ([SPEC] §3.6) ----
export type SetupConnection = MessageOf<'SetupConnection'>;
export type SetupConnectionSuccess = MessageOf<'SetupConnectionSuccess'>;
export type SetupConnectionError = MessageOf<'SetupConnectionError'>;
export type ChannelEndpointChanged = MessageOf<'ChannelEndpointChanged'>;
export type Reconnect = MessageOf<'Reconnect'>;
// ---- Mining Protocol ([SPEC] §5.3) ----
export type OpenStandardMiningChannel = MessageOf<'OpenStandardMiningChannel'>;
export type OpenStandardMiningChannelSuccess = MessageOf<'OpenStandardMiningChannelSuccess'>;
export type OpenMiningChannelError = MessageOf<'OpenMiningChannelError'>;
export type OpenExtendedMiningChannel = MessageOf<'OpenExtendedMiningChannel'>;
export type OpenExtendedMiningChannelSuccess = MessageOf<'OpenExtendedMiningChannelSuccess'>;
export type NewMiningJob = MessageOf<'NewMiningJob'>;
export type UpdateChannel = MessageOf<'UpdateChannel'>;
export type UpdateChannelError = MessageOf<'UpdateChannelError'>;
export type CloseChannel = MessageOf<'CloseChannel'>;
export type SetExtranoncePrefix = MessageOf<'SetExtranoncePrefix'>;
export type SubmitSharesStandard = MessageOf<'SubmitSharesStandard'>;
export type SubmitSharesExtended = MessageOf<'SubmitSharesExtended'>;
export type SubmitSharesSuccess = MessageOf<'SubmitSharesSuccess'>;
export type SubmitSharesError = MessageOf<'SubmitSharesError'>;
export type NewExtendedMiningJob = MessageOf<'NewExtendedMiningJob'>;
export type SetNewPrevHash = MessageOf<'SetNewPrevHash'>;
export type SetTarget = MessageOf<'SetTarget'>;
export type SetCustomMiningJob = MessageOf<'SetCustomMiningJob'>;
export type SetCustomMiningJobSuccess = MessageOf<'SetCustomMiningJobSuccess'>;
export type SetCustomMiningJobError = MessageOf<'SetCustomMiningJobError'>;
export type SetGroupChannel = MessageOf<'SetGroupChannel'>;
// ---- Extension 0x0001, Extensions Negotiation ----
export type RequestExtensions = MessageOf<'RequestExtensions'>;
export type RequestExtensionsSuccess = MessageOf<'RequestExtensionsSuccess'>;
export type RequestExtensionsError = MessageOf<'RequestExtensionsError'>;

export type CommonMessage = MessageOf<
  | 'SetupConnection'
  | 'SetupConnectionSuccess'
  | 'SetupConnectionError'
  | 'ChannelEndpointChanged'
  | 'Reconnect'
>;
export type ExtensionsNegotiationMessage = MessageOf<
  'RequestExtensions' | 'RequestExtensionsSuccess' | 'RequestExtensionsError'
>;
export type MiningMessage = Exclude<Sv2Message, CommonMessage | ExtensionsNegotiationMessage>;
