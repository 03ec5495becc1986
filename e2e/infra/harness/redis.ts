// A throwaway redis-server on a free loopback port: no RDB/AOF persistence, data dir in the run's temp dir.
import net from 'node:net';
import { join } from 'node:path';
import { freePort, waitUntilReady } from './process.js';
import type { ServiceGroup, ServiceProcess } from './process.js';

export interface RedisInstance {
  url: string;
  process: ServiceProcess;
}

/** Sends PING over a raw socket and expects +PONG (no client library needed for the health check). */
function ping(port: number): Promise<boolean> {
  return new Promise((resolvePromise, reject) => {
    const socket = net.connect({ host: '127.0.0.1', port });
    socket.setTimeout(1000, () => socket.destroy(new Error('PING timed out')));
    socket.once('error', reject);
    socket.once('connect', () => socket.write('PING\r\n'));
    socket.once('data', (data) => {
      socket.destroy();
      resolvePromise(data.toString('latin1').startsWith('+PONG'));
    });
  });
}

export async function startRedis(
  group: ServiceGroup,
  dir: string,
  redisServer: string,
): Promise<RedisInstance> {
  const port = await freePort();
  const args = [
    '--port',
    String(port),
    '--bind',
    '127.0.0.1',
    '--save',
    '',
    '--appendonly',
    'no',
    '--dir',
    dir,
    '--daemonize',
    'no',
    '--protected-mode',
    'yes',
    '--logfile',
    '',
  ];
  const proc = await group.spawn('redis', redisServer, args, join(dir, 'redis.log'), { cwd: dir });
  await waitUntilReady(proc, `PING on 127.0.0.1:${port}`, () => ping(port), 15_000);
  return { url: `redis://127.0.0.1:${port}`, process: proc };
}
