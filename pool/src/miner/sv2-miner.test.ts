import { afterEach, describe, expect, it } from 'vitest';
import { generateAuthorityKeys, generateResponderKeys } from '../sv2/noise/index.js';
import type { AcceptedShare, BlockCandidate } from '../stratum/engine.js';
import { StratumServer } from '../stratum/server.js';
import { Sv2Miner, type MinerMode } from './sv2-miner.js';

const authority = generateAuthorityKeys();
const keys = generateResponderKeys({ authoritySecretKey: authority.secretKey });

const stops: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const s of stops.splice(0).reverse()) await s();
});

async function until(cond: () => boolean, what: string, ms = 20_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe.each<MinerMode>(['sv2-standard', 'sv2-extended'])(
  'Sv2Miner (%s) against the stratum server',
  (mode) => {
    it('mines accepted shares and finds a block of an easy network target', async () => {
      const shares: AcceptedShare[] = [];
      const blocks: BlockCandidate[] = [];
      const server = await StratumServer.start({
        host: '127.0.0.1',
        port: 0,
        keys,
        replicaId: Uint8Array.of(1),
        sink: { onShare: (s) => shares.push(s), onBlock: (b) => blocks.push(b) },
        vardiff: {
          targetIntervalSec: 1,
          retargetMs: 600_000,
          maxStep: 4,
          minDifficulty: 256n,
          maxDifficulty: 1n << 40n,
        },
      });
      stops.push(() => server.close());
      await server.pushJob({
        jobId: 9,
        workId: '9',
        number: 9n,
        parentHash: new Uint8Array(32).fill(1),
        timestamp: 1_764_069_600_000n,
        compactTarget: 0x1f100000,
        target: 1n << 244n, // a block every ~4096 hashes
        powHash: Uint8Array.from({ length: 32 }, (_, i) => i),
        version: 0,
      });
      const miner = await Sv2Miner.start({
        host: '127.0.0.1',
        port: server.port,
        authorityPublicKey: authority.encoded.publicKey,
        user: 'alice.cpu',
        threads: 1,
        mode,
      });
      stops.push(() => miner.stop());
      await until(() => miner.stats.accepted >= 5 && blocks.length >= 1, 'accepted shares and a block');
      expect(miner.stats.rejected).toBe(0);
      expect(shares.every((s) => s.userIdentity === 'alice.cpu' && s.jobId === 9)).toBe(true);
      expect(blocks[0]!.workId).toBe('9');
    });
  },
);
