import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import type { EventBus } from '../bus/types.js';
import type { PoolStore } from '../store/types.js';
import { CkbRpcClosedError } from '../ckb/errors.js';
import { CkbRpcClient } from '../ckb-node/rpc.js';
import { loadConfig } from '../config/load.js';
import { dependencyChecks, dependencyGauge, nodeClient, readiness } from './runtime.js';

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

  it('closes the CKB client it made on release, never an injected one', async () => {
    const config = loadConfig({ env: {}, file: null });
    const own = nodeClient(config, undefined, new Registry());
    own.release();
    await expect(own.rpc.getTipHeader()).rejects.toBeInstanceOf(CkbRpcClosedError);

    const injected = new CkbRpcClient({ url: 'http://127.0.0.1:1', retries: 0 });
    const shared = nodeClient(config, injected, new Registry());
    expect(shared.rpc).toBe(injected);
    shared.release();
    await expect(injected.getTipHeader()).rejects.not.toBeInstanceOf(CkbRpcClosedError);
    injected.close();
  });
});
