/**
 * Servers under test for translator.bench.ts, in their own process: the SV2 stratum server
 * (every share accepted: share target 2^256 - 1, network target 1), a second one with an ack
 * window (`ackWindowMs` from the start request), and the V1 translator in front of the second
 * (miner share difficulty 2), each also reachable through a byte-counting TCP relay that
 * measures the server end of the wire; the translator reaches the pool through one as well (its
 * aggregated SV2 link). Driven over IPC: start, bytes, stop.
 */
import { benchJob, startAcceptAllServer } from './accept-all-server.js';
import net from 'node:net';
import { Translator } from '../src/translator/translator.js';
import { generateAuthorityKeys } from '../src/sv2/noise/index.js';

type Request = { cmd: 'start'; ackWindowMs: number } | { cmd: 'bytes' } | { cmd: 'stop' };

/** Relays TCP to `port` and counts the bytes each way (what the server end sees). */
function countingRelay(
  port: number,
): Promise<{ port: number; counts: { toServer: number; toClient: number } }> {
  const counts = { toServer: 0, toClient: 0 };
  const relay = net.createServer({ noDelay: true }, (client) => {
    const server = net.connect({ host: '127.0.0.1', port, noDelay: true });
    client.on('data', (b: Buffer) => void (counts.toServer += b.length));
    server.on('data', (b: Buffer) => void (counts.toClient += b.length));
    client.pipe(server);
    server.pipe(client);
    const kill = () => {
      client.destroy();
      server.destroy();
    };
    client.on('error', kill).on('close', kill);
    server.on('error', kill).on('close', kill);
  });
  return new Promise((resolve) =>
    relay.listen(0, '127.0.0.1', () => resolve({ port: (relay.address() as net.AddressInfo).port, counts })),
  );
}

let relays: { toServer: number; toClient: number }[] = [];

process.on('message', (req: Request) => {
  void (async () => {
    if (req.cmd === 'start') {
      const authority = generateAuthorityKeys();
      const startPool = (ackWindowMs: number) => startAcceptAllServer(authority.secretKey, { ackWindowMs });
      const job = benchJob(1);
      const pool = await startPool(0);
      await pool.pushJob(job);
      const windowed = await startPool(req.ackWindowMs);
      await windowed.pushJob(job);
      // The translator's own SV2 link to the pool, counted too.
      // The translator answers its miners itself, so the pool's acknowledgement latency does not
      // reach them: it sits behind the pool with the ack window, the setting for translator links.
      const upstreamRelay = await countingRelay(windowed.port);
      const translator = await Translator.start({
        host: '127.0.0.1',
        port: 0,
        upstream: { host: '127.0.0.1', port: upstreamRelay.port, authorityPublicKey: authority.publicKey },
        user: 'bench.translator',
        perWorkerChannels: false,
        startDifficulty: 2n,
        vardiff: {
          targetIntervalSec: 5,
          retargetMs: 3_600_000,
          maxStep: 4,
          minDifficulty: 2n,
          maxDifficulty: 2n,
        },
        limits: { requestsPerSecond: 1e6, requestBurst: 1e6 },
      });
      const poolRelay = await countingRelay(pool.port);
      const windowedRelay = await countingRelay(windowed.port);
      const trRelay = await countingRelay(translator.port);
      relays = [poolRelay.counts, trRelay.counts, upstreamRelay.counts, windowedRelay.counts];
      process.send!({
        authority: authority.encoded.publicKey,
        pool: poolRelay.port,
        windowed: windowedRelay.port,
        translator: trRelay.port,
      });
    } else if (req.cmd === 'bytes') {
      process.send!({
        pool: { ...relays[0] },
        translator: { ...relays[1] },
        upstream: { ...relays[2] },
        windowed: { ...relays[3] },
      });
    } else {
      process.exit(0);
    }
  })();
});
