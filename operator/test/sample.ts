/** Sample pools for tests and benchmarks. */
import { withDefaults } from '../src/api/defaults.js';
import { API_VERSION, KIND, type MiningPool, type MiningPoolSpec } from '../src/api/types.js';

/** The default secp256k1-blake160 lock with the devnet key of nervosnetwork/ckb docs/dev-miner.md. */
export const SAMPLE_PAYOUT = {
  codeHash: '0x9bd7e06f3ecf4be0f2fcd2188b23f1b9fcc88e5d4b65a8637b17723bbda3cce8',
  hashType: 'type',
  args: '0xc8328aabcd9b9e8e64fbc566c4385c3bdeb219d7',
} as const;

/** A MiningPool as a user writes it (before API-server defaulting). */
export function userPool(
  name = 'pool1',
  namespace = 'miners',
  spec: Record<string, unknown> = {},
): MiningPool {
  return {
    apiVersion: API_VERSION,
    kind: KIND,
    metadata: { name, namespace, uid: `uid-${namespace}-${name}`, generation: 1 },
    spec: { network: 'devnet', payout: { ...SAMPLE_PAYOUT }, ...spec } as unknown as MiningPoolSpec,
  };
}

export const samplePool = (name?: string, namespace?: string, spec?: Record<string, unknown>): MiningPool =>
  withDefaults(userPool(name, namespace, spec));
