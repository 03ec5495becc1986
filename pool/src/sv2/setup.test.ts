import { describe, expect, it } from 'vitest';
import { MiningSetupFlags, SV2_PROTOCOL_VERSION, Sv2Protocol } from './constants.js';
import { decodeMessage, encodeMessage, MESSAGE_TYPES } from './message.js';
import { miningSetupConnection } from './setup.js';

describe('miningSetupConnection', () => {
  it('is a Mining Protocol SetupConnection for version 2 only, empty strings and flags 0 by default', () => {
    const msg = miningSetupConnection({ endpointHost: 'pool.example', endpointPort: 34254, vendor: 'v' });
    expect(msg).toEqual({
      type: 'SetupConnection',
      protocol: Sv2Protocol.Mining,
      minVersion: SV2_PROTOCOL_VERSION,
      maxVersion: SV2_PROTOCOL_VERSION,
      flags: 0,
      endpointHost: 'pool.example',
      endpointPort: 34254,
      vendor: 'v',
      hardwareVersion: '',
      firmware: '',
      deviceId: '',
    });
  });

  it('carries the given flags and device fields through the codec', () => {
    const msg = miningSetupConnection({
      endpointHost: '127.0.0.1',
      endpointPort: 1,
      flags: MiningSetupFlags.RequiresStandardJobs | MiningSetupFlags.RequiresVersionRolling,
      vendor: 'eaglepool',
      hardwareVersion: 'cpu',
      firmware: 'fw',
      deviceId: 'alice-1',
    });
    expect(decodeMessage(MESSAGE_TYPES.SetupConnection, encodeMessage(msg))).toEqual(msg);
  });
});
