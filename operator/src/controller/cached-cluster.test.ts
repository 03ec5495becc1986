import { describe, expect, it } from 'vitest';
import { FakeCluster } from '../../test/fake-cluster.js';
import { CachedCluster, type ObjectCache } from './cached-cluster.js';

const cm = (name: string, data: string) => ({
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: { name, namespace: 'ns' },
  data: { v: data },
});

describe('CachedCluster', () => {
  const server = new FakeCluster();
  server.seed(cm('on-server', 'server'));
  server.seed(cm('both', 'server'));
  const cached = new Map([['ns/both', cm('both', 'cache')]]);
  const cache: ObjectCache = { get: (name, namespace) => cached.get(`${namespace}/${name}`) };
  const cluster = new CachedCluster(server, new Map([['v1/ConfigMap', cache]]));
  const ref = (name: string) => ({ apiVersion: 'v1', kind: 'ConfigMap', namespace: 'ns', name });

  it('answers reads from the cache on a hit (a copy), from the server on a miss', async () => {
    const hit = await cluster.get<{ data: { v: string } }>(ref('both'));
    expect(hit!.data.v).toBe('cache');
    hit!.data.v = 'mutated';
    expect(cached.get('ns/both')!.data.v).toBe('cache');
    expect((await cluster.get<{ data: { v: string } }>(ref('on-server')))!.data.v).toBe('server');
    expect(await cluster.get(ref('nowhere'))).toBeUndefined();
    expect(
      await cluster.get({ apiVersion: 'v1', kind: 'Secret', namespace: 'ns', name: 'both' }),
    ).toBeUndefined();
  });

  it('treats a cache miss as "none of ours" only for cached kinds', () => {
    expect(cluster.managedFromCache(ref('both'))?.data).toEqual({ v: 'cache' });
    expect(cluster.managedFromCache(ref('on-server'))).toBeNull();
    expect(
      cluster.managedFromCache({ apiVersion: 'v1', kind: 'Secret', namespace: 'ns', name: 'x' }),
    ).toBeUndefined();
  });

  it('sends writes to the server', async () => {
    await cluster.apply(cm('new', 'x') as never, { force: true });
    expect(server.writes.at(-1)).toBe('apply ConfigMap/new');
  });
});
