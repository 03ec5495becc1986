/**
 * The stratum server the benchmark children run: every share is accepted (share difficulty
 * pinned at 1, i.e. target 2^256 − 1; network target 1, so no blocks), vardiff never retargets
 * and connection limits are out of the way. Each share still costs AEAD open, decode, one
 * Eaglesong permutation and the duplicate check.
 */
import { randomBytes } from 'node:crypto';
import type { JobTemplate } from '../src/stratum/jobs.js';
import { StratumServer, type StratumServerOptions } from '../src/stratum/server.js';

export function startAcceptAllServer(
  authoritySecretKey: Uint8Array,
  extra: Partial<StratumServerOptions> = {},
): Promise<StratumServer> {
  return StratumServer.start({
    host: '127.0.0.1',
    port: 0,
    keys: { staticSecretKey: randomBytes(32), authoritySecretKey },
    replicaId: Uint8Array.of(1),
    sink: { onShare: () => {}, onBlock: () => {} },
    vardiff: {
      targetIntervalSec: 5,
      retargetMs: 3_600_000,
      maxStep: 4,
      minDifficulty: 1n,
      maxDifficulty: 1n,
    },
    limits: { maxConnectionsPerIp: 100_000, maxConnections: 100_000 },
    ...extra,
  });
}

/** Job number `n` on a fresh random parent (a new tip each time). */
export function benchJob(n: number): JobTemplate {
  return {
    jobId: n,
    workId: String(n),
    number: BigInt(n),
    parentHash: randomBytes(32),
    timestamp: BigInt(Date.now()),
    compactTarget: 0x01010000,
    target: 1n,
    powHash: randomBytes(32),
    version: 0,
  };
}
