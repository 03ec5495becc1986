/**
 * Protocol constants other parts of the pool need when building or checking messages.
 * Sources: [SPEC] stratum-mining/sv2-spec 03-Protocol-Overview.md §3.6.1, 05-Mining-Protocol.md
 * §5.3.1; [SRI] stratum-mining/stratum sv2/subprotocols/{common-messages,mining}/src/lib.rs @ 2680220.
 */

/** SetupConnection.protocol */
export const Sv2Protocol = {
  Mining: 0,
  JobDeclaration: 1,
  TemplateDistribution: 2,
} as const;

/** The only protocol version defined so far (SetupConnection min/max_version, .Success used_version). */
export const SV2_PROTOCOL_VERSION = 2;

/** extension_type of the Extensions Negotiation messages ([SPEC] extensions/0x0001-extensions-negotiation.md). */
export const EXTENSION_TYPE_EXTENSIONS_NEGOTIATION = 0x0001;

/** SetupConnection.flags sent by a Mining Protocol client ([SPEC] §5.3.1). */
export const MiningSetupFlags = {
  RequiresStandardJobs: 1 << 0,
  RequiresWorkSelection: 1 << 1,
  RequiresVersionRolling: 1 << 2,
} as const;

/** SetupConnection.Success.flags sent by a Mining Protocol server ([SPEC] §5.3.1). */
export const MiningSetupSuccessFlags = {
  RequiresFixedVersion: 1 << 0,
  RequiresExtendedChannels: 1 << 1,
} as const;

/**
 * Every error_code this pool sends, per error message: the codes of [SPEC] §3.6 / §5.3 as SRI spells
 * them ([SRI] sv2/subprotocols/{common-messages,mining}/src/*.rs @ 2680220), then Eaglepool's own
 * (marked). A peer must treat a code it does not know as a logged no-op ([SPEC] §3.5), so decoded
 * messages keep `errorCode: string`; what we send is typed by `ErrorCodeOf`.
 */
export const ErrorCodes = {
  SetupConnectionError: [
    'unsupported-feature-flags',
    'unsupported-protocol',
    /** Used by the C++ Template Provider (stratum-mining/sv2-tp), not by SRI. */
    'protocol-version-mismatch',
  ],
  OpenMiningChannelError: [
    'standard-channels-not-supported-for-custom-work',
    'extended-channels-not-supported-for-standard-jobs',
    'invalid-user-identity',
    'invalid-nominal-hashrate',
    'min-extranonce-size-too-large',
    'max-target-out-of-range',
    'unsupported-min-extranonce-size',
    'unknown-user',
    // Eaglepool: the per-connection channel limit, and no extranonce prefix left on this replica.
    'too-many-channels',
    'extranonce-space-exhausted',
  ],
  UpdateChannelError: ['invalid-nominal-hashrate', 'invalid-channel-id'],
  SubmitSharesError: [
    'invalid-channel-id',
    'invalid-share',
    'stale-share',
    'invalid-job-id',
    'difficulty-too-low',
    'duplicate-share',
    'bad-extranonce-size',
    'version-rolling-not-allowed',
    'invalid-non-rollable-version-bit',
    // Eaglepool: a valid share whose write to the share log failed (never acknowledged).
    'share-not-logged',
  ],
  SetCustomMiningJobError: ['jd-not-supported', 'invalid-channel-id'],
} as const;

/** The error messages that carry an `errorCode`. */
export type ErrorMessageType = keyof typeof ErrorCodes;
/** The error_code values we send in one error message, e.g. `ErrorCodeOf<'SubmitSharesError'>`. */
export type ErrorCodeOf<T extends ErrorMessageType> = (typeof ErrorCodes)[T][number];
/** Every error_code we send. */
export type Sv2ErrorCode = ErrorCodeOf<ErrorMessageType>;
