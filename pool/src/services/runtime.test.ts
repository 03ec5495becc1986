import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import type { EventBus } from '../bus/types.js';
import type { PoolStore } from '../store/types.js';
import { dependencyChecks, dependencyGauge, readiness } from './runtime.js';

describe('service runtime helpers', () => {
  it('reports Redis and Kafka connectivity as dependency_up and readiness, read when asked', async () => {
    const up = { redis: true, kafka: true };
    const deps = {
      store: { healthy: () => up.redis } as PoolStore,
      bus: { healthy: () => up.kafka } as EventBus,
    };
    const registry = new Registry();
    dependencyGauge('blockmaker', registry, deps);
    const values = async () =>
      Object.fromEntries(
        (await registry.getSingleMetric('eaglepool_blockmaker_dependency_up')!.get()).values.map((v) => [
          v.labels.dependency,
          v.value,
        ]),
      );

    expect(await values()).toEqual({ redis: 1, kafka: 1 });
    expect(readiness(dependencyChecks(deps))).toEqual({ ready: true });
    up.kafka = false;
    expect(await values()).toEqual({ redis: 1, kafka: 0 });
    expect(readiness(dependencyChecks(deps))).toEqual({ ready: false, reason: 'kafka' });
    up.redis = false;
    expect(readiness({ job: true, ...dependencyChecks(deps) })).toEqual({
      ready: false,
      reason: 'redis, kafka',
    });
  });
});
