import { describe, expect, it } from 'vitest';
import { FakeCluster } from '../../test/fake-cluster.js';
import { LeaderElector } from './leader.js';

function elector(cluster: FakeCluster, identity: string, clock: { t: number }, log: string[]) {
  return new LeaderElector({
    client: cluster,
    namespace: 'op',
    name: 'eaglepool-operator',
    identity,
    now: () => clock.t,
    onStartedLeading: () => log.push(`${identity} leads`),
    onStoppedLeading: () => log.push(`${identity} stops`),
  });
}

const lease = async (c: FakeCluster) =>
  (await c.get<{ spec: Record<string, unknown> }>({
    apiVersion: 'coordination.k8s.io/v1',
    kind: 'Lease',
    namespace: 'op',
    name: 'eaglepool-operator',
  }))!.spec;

describe('LeaderElector', () => {
  it('elects one leader, fails over after the lease expires, and the old leader steps down', async () => {
    const cluster = new FakeCluster();
    const clock = { t: Date.parse('2026-11-25T10:00:00Z') };
    const log: string[] = [];
    const a = elector(cluster, 'a', clock, log);
    const b = elector(cluster, 'b', clock, log);
    await a.tick();
    await b.tick();
    expect([a.isLeader, b.isLeader]).toEqual([true, false]);
    expect(await lease(cluster)).toMatchObject({
      holderIdentity: 'a',
      leaseDurationSeconds: 15,
      leaseTransitions: 0,
    });
    expect((await lease(cluster)).renewTime).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/);

    clock.t += 2000;
    await a.tick(); // renews
    clock.t += 14_000;
    await b.tick(); // 14 s after the renewal: still held
    expect(b.isLeader).toBe(false);

    clock.t += 1000; // a went silent for 15 s: expired
    await b.tick();
    expect(b.isLeader).toBe(true);
    expect(await lease(cluster)).toMatchObject({ holderIdentity: 'b', leaseTransitions: 1 });
    await a.tick();
    expect(a.isLeader).toBe(false);
    expect(log).toEqual(['a leads', 'b leads', 'a stops']);
  });

  it('releases the lease on stop so a successor takes over without waiting', async () => {
    const cluster = new FakeCluster();
    const clock = { t: Date.parse('2026-11-25T10:00:00Z') };
    const log: string[] = [];
    const a = elector(cluster, 'a', clock, log);
    const b = elector(cluster, 'b', clock, log);
    await a.tick();
    await a.stop();
    expect((await lease(cluster)).holderIdentity).toBeNull();
    await b.tick();
    expect(b.isLeader).toBe(true);
  });
});
