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

/** error_code strings as SRI sends them (peers must treat unknown codes as a logged no-op, [SPEC] §3.5). */
export const ErrorCodes = {
  setupConnection: {
    unsupportedFeatureFlags: 'unsupported-feature-flags',
    unsupportedProtocol: 'unsupported-protocol',
    /** Used by the C++ Template Provider (stratum-mining/sv2-tp), not by SRI. */
    protocolVersionMismatch: 'protocol-version-mismatch',
  },
  openMiningChannel: {
    standardChannelsNotSupportedForCustomWork: 'standard-channels-not-supported-for-custom-work',
    extendedChannelsNotSupportedForStandardJobs: 'extended-channels-not-supported-for-standard-jobs',
    invalidUserIdentity: 'invalid-user-identity',
    invalidNominalHashrate: 'invalid-nominal-hashrate',
    minExtranonceSizeTooLarge: 'min-extranonce-size-too-large',
    maxTargetOutOfRange: 'max-target-out-of-range',
    unsupportedMinExtranonceSize: 'unsupported-min-extranonce-size',
    unknownUser: 'unknown-user',
  },
  updateChannel: {
    invalidNominalHashrate: 'invalid-nominal-hashrate',
    invalidChannelId: 'invalid-channel-id',
  },
  submitShares: {
    invalidChannelId: 'invalid-channel-id',
    invalidShare: 'invalid-share',
    staleShare: 'stale-share',
    invalidJobId: 'invalid-job-id',
    difficultyTooLow: 'difficulty-too-low',
    duplicateShare: 'duplicate-share',
    badExtranonceSize: 'bad-extranonce-size',
    versionRollingNotAllowed: 'version-rolling-not-allowed',
    invalidNonRollableVersionBit: 'invalid-non-rollable-version-bit',
  },
  setCustomMiningJob: {
    jdNotSupported: 'jd-not-supported',
    invalidChannelId: 'invalid-channel-id',
  },
} as const;
