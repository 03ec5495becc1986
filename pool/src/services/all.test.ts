import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { MemoryBus } from '../bus/memory.js';
import { poolTopicSpecs, poolTopics } from '../bus/topics.js';
import { loadConfig } from '../config/load.js';
import { startDevnet, type Devnet } from '../devnet/index.js';
import { silentLogger } from '../observability/logger.js';
import { MemoryStore } from '../store/memory.js';
import { startPoolServices } from './all.js';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function listening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: '127.0.0.1', port }, () => (socket.destroy(), resolve(true)));
    socket.on('error', () => resolve(false));
  });
}

async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

async function setup(jobmakerListen: string) {
  const devnet: Devnet = await startDevnet({ port: 0 });
  cleanups.push(() => devnet.stop());
  const blockmakerPort = await freePort();
  const apiPort = await freePort();
  const config = loadConfig({
    file: null,
    env: {},
    base: {
      ckb: { rpcUrl: devnet.url, pollIntervalMs: 100 },
      jobmaker: { grpcListen: jobmakerListen, healthPort: 0 },
      blockmaker: { grpcListen: `127.0.0.1:${blockmakerPort}`, healthPort: 0 },
      shareprocessor: { httpListen: `127.0.0.1:${apiPort}`, healthPort: 0 },
    },
  });
  const bus = new MemoryBus({ retryMs: 10 });
  await bus.ensureTopics(poolTopicSpecs(poolTopics(config.kafka.topicPrefix), 1));
  const store = new MemoryStore();
  cleanups.push(async () => (await bus.close(), await store.close()));
  const deps = { bus, store, logger: silentLogger, healthServer: false };
  return { config, deps, blockmakerPort, apiPort };
}

describe('startPoolServices', () => {
  it('starts the block maker, share processor and job maker, and stops all three', async () => {
    const { config, deps, blockmakerPort, apiPort } = await setup('127.0.0.1:0');
    const services = await startPoolServices(config, deps);
    expect(await listening(blockmakerPort)).toBe(true);
    expect(await listening(apiPort)).toBe(true);
    expect(await listening(services.jobmaker.grpcPort!)).toBe(true);
    await services.stop();
    expect(await listening(blockmakerPort)).toBe(false);
    expect(await listening(apiPort)).toBe(false);
  });

  it('stops the services already started when a later one cannot start', async () => {
    const taken = net.createServer();
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
    cleanups.push(() => new Promise((resolve) => taken.close(() => resolve())));
    const { port } = taken.address() as net.AddressInfo;
    const { config, deps, blockmakerPort, apiPort } = await setup(`127.0.0.1:${port}`);
    await expect(startPoolServices(config, deps)).rejects.toThrow(
      /EADDRINUSE|address already in use|No address added/i,
    );
    expect(await listening(blockmakerPort)).toBe(false);
    expect(await listening(apiPort)).toBe(false);
  });
});
