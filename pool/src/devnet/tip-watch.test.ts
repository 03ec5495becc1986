import { afterEach, describe, expect, it } from 'vitest';
import { Registry } from 'prom-client';
import { CkbRpcClient } from '../ckb-node/rpc.js';
import type { TipSource } from '../ckb-node/tip-watcher.js';
import { blockFromWork, workFromTemplate } from '../ckb/work.js';
import type { JsonHeaderView } from '../ckb/types.js';
import { startDevnet } from './index.js';
import type { Devnet } from './index.js';
import { mine } from './testing/mine.js';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

async function setup(opts: { subscription: boolean }): Promise<{ devnet: Devnet; client: CkbRpcClient }> {
  const devnet = await startDevnet({
    initialCompactTarget: 0x20010000,
    subscriptionPort: opts.subscription ? 0 : false,
  });
  const client = new CkbRpcClient({ url: devnet.url, registry: new Registry() });
  cleanups.push(
    () => devnet.stop(),
    () => client.close(),
  );
  return { devnet, client };
}

async function mineOne(client: CkbRpcClient): Promise<string> {
  const work = workFromTemplate(await client.getBlockTemplate());
  return client.submitBlock(work.workId, blockFromWork(work, mine(work)));
}

function nextTip(watcher: { once(e: 'tip', l: (h: JsonHeaderView, s: TipSource) => void): unknown }) {
  return new Promise<{ header: JsonHeaderView; source: TipSource }>((resolve) =>
    watcher.once('tip', (header, source) => resolve({ header, source })),
  );
}

describe('watchTip', () => {
  it('delivers new tips over the TCP subscription', async () => {
    const { devnet, client } = await setup({ subscription: true });
    const watcher = client.watchTip({ subscriptionUrl: devnet.subscriptionUrl, pollIntervalMs: 60_000 });
    cleanups.push(() => watcher.stop());
    const subscribed = new Promise((resolve) =>
      watcher.on('mode', (m) => m === 'subscription' && resolve(m)),
    );
    expect((await nextTip(watcher)).header.number).toBe('0x0'); // the initial poll
    await subscribed;
    for (let i = 1; i <= 2; i++) {
      const tip = nextTip(watcher);
      const hash = await mineOne(client);
      // pollIntervalMs is a minute: only the push can deliver this tip in time
      expect(await tip).toEqual({
        header: expect.objectContaining({ hash, number: '0x' + i }),
        source: 'subscription',
      });
    }
    expect(watcher.mode).toBe('subscription');
  });

  it('polls when no subscription endpoint is configured, and iterates asynchronously', async () => {
    const { client } = await setup({ subscription: false });
    const watcher = client.watchTip({ pollIntervalMs: 20 });
    cleanups.push(() => watcher.stop());
    const seen: string[] = [];
    const consumer = (async () => {
      for await (const header of watcher) {
        seen.push(header.number);
        if (seen.length === 3) break;
      }
    })();
    await new Promise((r) => setTimeout(r, 50));
    await mineOne(client);
    await new Promise((r) => setTimeout(r, 60));
    await mineOne(client);
    await consumer;
    expect(seen).toEqual(['0x0', '0x1', '0x2']);
  });

  it('falls back to polling when the subscription endpoint is dead', async () => {
    const { client } = await setup({ subscription: false });
    const errors: Error[] = [];
    const watcher = client.watchTip({
      subscriptionUrl: 'tcp://127.0.0.1:1',
      pollIntervalMs: 20,
      reconnectDelayMs: 10_000,
    });
    watcher.on('error', (e) => errors.push(e));
    cleanups.push(() => watcher.stop());
    await nextTip(watcher);
    const tip = nextTip(watcher);
    const hash = await mineOne(client);
    expect(await tip).toEqual({ header: expect.objectContaining({ hash }), source: 'polling' });
    expect(errors.length).toBeGreaterThan(0);
  });
});
