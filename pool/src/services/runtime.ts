/** What every service start function takes and returns. */
import { Gauge, type Registry } from 'prom-client';
import type { EventBus } from '../bus/types.js';
import { CkbRpcClient } from '../ckb-node/rpc.js';
import type { PoolConfig } from '../config/schema.js';
import { startHealthServer, type HealthServer, type Readiness } from '../observability/health.js';
import type { Logger } from '../observability/logger.js';
import type { PoolStore } from '../store/types.js';

export interface ServiceDeps {
  store: PoolStore;
  bus: EventBus;
  logger: Logger;
  /**
   * Serve /metrics, /healthz, /readyz on the service's `healthPort` (default true). `pool dev`
   * passes false and serves one endpoint for all services from their `registry` and `ready`.
   */
  healthServer?: boolean;
  /** Open the service's network API (gRPC / HTTP) on its configured address (default true). */
  listen?: boolean;
}

export interface ServiceHandle {
  /** The service's own metrics (process metrics live in processRegistry()). */
  readonly registry: Registry;
  ready(): Readiness;
  /** Port of the health server, when started. */
  readonly healthPort: number | undefined;
  /** Graceful stop: stop taking work, finish in-flight work, release leases, close servers. */
  stop(): Promise<void>;
}

/**
 * The CKB node client of a service: the injected one (shared, left open), or one made from
 * the config whose `release()` closes it when the service stops.
 */
export function nodeClient(
  config: PoolConfig,
  injected: CkbRpcClient | undefined,
  registry: Registry,
): { rpc: CkbRpcClient; release(): void } {
  if (injected) return { rpc: injected, release: () => {} };
  const rpc = new CkbRpcClient({ url: config.ckb.rpcUrl, timeoutMs: config.ckb.timeoutMs, registry });
  return { rpc, release: () => rpc.close() };
}

export async function maybeHealthServer(
  deps: ServiceDeps,
  listen: { host: string; port: number },
  registry: Registry,
  ready: () => Readiness,
): Promise<HealthServer | undefined> {
  if (deps.healthServer === false) return undefined;
  return startHealthServer({ ...listen, registries: [registry], ready });
}

/** Readiness from named checks: ready when all pass, else names the failing ones. */
export function readiness(checks: Record<string, boolean>): Readiness {
  const failing = Object.entries(checks)
    .filter(([, ok]) => !ok)
    .map(([name]) => name);
  return failing.length === 0 ? { ready: true } : { ready: false, reason: failing.join(', ') };
}

/** Redis and Kafka connectivity: the dependency checks every service reports and is ready on. */
export function dependencyChecks({ store, bus }: Pick<ServiceDeps, 'store' | 'bus'>): {
  redis: boolean;
  kafka: boolean;
} {
  return { redis: store.healthy(), kafka: bus.healthy() };
}

/** `eaglepool_<service>_dependency_up{dependency}`: 1 while the dependency is connected (read at scrape). */
export function dependencyGauge(
  service: string,
  registry: Registry,
  deps: Pick<ServiceDeps, 'store' | 'bus'>,
): void {
  new Gauge({
    name: `eaglepool_${service}_dependency_up`,
    help: '1 if the dependency is connected.',
    labelNames: ['dependency'],
    registers: [registry],
    collect() {
      for (const [dependency, up] of Object.entries(dependencyChecks(deps)))
        this.set({ dependency }, up ? 1 : 0);
    },
  });
}
