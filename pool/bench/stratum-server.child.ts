/**
 * The stratum server under test for stratum.bench.ts, in its own process (its own core, its
 * own RSS). Driven over IPC: start, job, stats, stop. Every share is accepted (share target
 * 2^256 - 1, network target 1: no blocks), so each submission costs decryption, decoding,
 * one Eaglesong permutation, the duplicate check and a batched acknowledgement.
 */
import { randomBytes } from 'node:crypto';
import { StratumServer } from '../src/stratum/server.js';
import type { JobTemplate } from '../src/stratum/jobs.js';

type Request =
  | { cmd: 'start'; authoritySecretKey: string; replicaId?: number }
  | { cmd: 'job' }
  | { cmd: 'stats' }
  | { cmd: 'stop' };

let server: StratumServer | undefined;
let accepted = 0;
let jobNumber = 0;

function template(): JobTemplate {
  jobNumber++;
  return {
    jobId: jobNumber,
    workId: String(jobNumber),
    number: BigInt(jobNumber),
    parentHash: randomBytes(32),
    timestamp: BigInt(Date.now()),
    compactTarget: 0x01010000,
    target: 1n,
    powHash: randomBytes(32),
    version: 0,
  };
}

function reply(msg: unknown): void {
  process.send!(msg);
}

function memory() {
  (globalThis as { gc?: () => void }).gc?.();
  const m = process.memoryUsage();
  return { rss: m.rss, heapUsed: m.heapUsed, external: m.external, arrayBuffers: m.arrayBuffers };
}

process.on('message', (req: Request) => {
  void (async () => {
    switch (req.cmd) {
      case 'start':
        server = await StratumServer.start({
          host: '127.0.0.1',
          port: 0,
          keys: {
            staticSecretKey: randomBytes(32),
            authoritySecretKey: Buffer.from(req.authoritySecretKey, 'hex'),
          },
          replicaId: Uint8Array.of(req.replicaId ?? 1),
          sink: { onShare: () => void accepted++, onBlock: () => {} },
          vardiff: {
            targetIntervalSec: 5,
            retargetMs: 3_600_000,
            maxStep: 4,
            minDifficulty: 1n,
            maxDifficulty: 1n,
          },
          limits: { maxConnectionsPerIp: 100_000, maxConnections: 100_000 },
          fanOutSlice: 2000,
        });
        await server.pushJob(template());
        reply({ port: server.port });
        break;
      case 'job': {
        const start = performance.now();
        const cpu0 = process.cpuUsage();
        await server!.pushJob(template());
        const cpu = process.cpuUsage(cpu0);
        reply({
          fanOutMs: performance.now() - start,
          fanOutCpuMs: (cpu.user + cpu.system) / 1000,
          jobId: jobNumber,
        });
        break;
      }
      case 'stats':
        reply({
          accepted,
          rejected: server!.stats.sharesRejected,
          connections: server!.stats.connections,
          cpu: process.cpuUsage(),
          memory: memory(),
        });
        break;
      case 'stop':
        await server?.close();
        process.send!({ stopped: true }, () => process.exit(0));
    }
  })();
});
