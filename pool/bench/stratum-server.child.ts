/**
 * The stratum server under test for stratum.bench.ts, in its own process (its own core, its
 * own RSS). Driven over IPC: start, job, stats, stop. Every share is accepted (share target
 * 2^256 - 1, network target 1: no blocks), so each submission costs decryption, decoding,
 * one Eaglesong permutation, the duplicate check and a batched acknowledgement.
 */
import { benchJob, startAcceptAllServer } from './accept-all-server.js';
import type { StratumServer } from '../src/stratum/server.js';
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
  return benchJob(jobNumber);
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
        server = await startAcceptAllServer(Buffer.from(req.authoritySecretKey, 'hex'), {
          replicaId: Uint8Array.of(req.replicaId ?? 1),
          sink: { onShare: () => void accepted++, onBlock: () => {} },
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
