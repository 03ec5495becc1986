import { SV2_PROTOCOL_VERSION, Sv2Protocol } from './constants.js';
import type { SetupConnection } from './types.js';

/** What a Mining Protocol client says about itself in its SetupConnection. */
export interface MiningSetupOptions {
  /** The host and port the client connected to ([SPEC] §3.6.1: as the client sees them). */
  endpointHost: string;
  endpointPort: number;
  /** `MiningSetupFlags` bits; default 0. */
  flags?: number;
  vendor: string;
  hardwareVersion?: string;
  firmware?: string;
  deviceId?: string;
}

/** The SetupConnection a Mining Protocol client sends first: protocol Mining, version 2 only. */
export function miningSetupConnection(opts: MiningSetupOptions): SetupConnection {
  return {
    type: 'SetupConnection',
    protocol: Sv2Protocol.Mining,
    minVersion: SV2_PROTOCOL_VERSION,
    maxVersion: SV2_PROTOCOL_VERSION,
    flags: opts.flags ?? 0,
    endpointHost: opts.endpointHost,
    endpointPort: opts.endpointPort,
    vendor: opts.vendor,
    hardwareVersion: opts.hardwareVersion ?? '',
    firmware: opts.firmware ?? '',
    deviceId: opts.deviceId ?? '',
  };
}
