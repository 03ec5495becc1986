/**
 * Connecting a service process to Redis and Kafka at start, the same way for every service
 * (`pool jobmaker|blockmaker|shareprocessor|stratum`): while a dependency is down, one clear line
 * per attempt (never a stack trace, never a password), a retry with backoff, and /readyz answering
 * 503 on the service's health port (so Kubernetes neither routes to the pod nor restarts it
 * in a loop). Resolves once both are connected, or undefined if `signal` aborts first.
 */
import { createBus } from '../bus/create.js';
import type { EventBus } from '../bus/types.js';
import type { PoolConfig } from '../config/schema.js';
import { startHealthServer } from '../observability/health.js';
import type { Logger } from '../observability/logger.js';
import { createStore } from '../store/create.js';
import type { PoolStore } from '../store/types.js';

/** `url` with any password replaced by `***` (for logs and error messages). */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password === '') return url;
    u.password = '***';
    return u.toString();
  } catch {
    return '(unparsable URL)';
  }
}

export interface ConnectOptions {
  /** Health port that answers 503 while connecting (the service's own port; it is free until the service starts). */
  healthPort: number;
  signal: AbortSignal;
  /** First pause between attempts, doubled up to `maxRetryMs` (defaults 500 ms and 30 s). */
  retryMs?: number;
  maxRetryMs?: number;
}

export interface Dependencies {
  store: PoolStore;
  bus: EventBus;
}

export async function connectDependencies(
  config: PoolConfig,
  logger: Logger,
  opts: ConnectOptions,
): Promise<Dependencies | undefined> {
  let waitingFor = '';
  const health = await startHealthServer({
    host: config.healthHost,
    port: opts.healthPort,
    ready: () => ({ ready: false, reason: `connecting to ${waitingFor}` }),
  });
  let store: PoolStore | undefined;
  let bus: EventBus | undefined;
  let delay = opts.retryMs ?? 500;
  try {
    for (;;) {
      try {
        waitingFor = `Redis at ${redactUrl(config.redis.url ?? '(in-memory)')}`;
        store ??= await createStore(config, logger);
        waitingFor = `Kafka at ${config.kafka.brokers.join(',')}`;
        bus ??= await createBus(config, logger);
        return { store, bus };
      } catch (err) {
        if (opts.signal.aborted) break;
        logger.warn(`cannot connect to ${waitingFor}; retrying in ${(delay / 1000).toFixed(1)} s`, {
          error: (err as Error).message,
        });
        await abortableSleep(delay, opts.signal);
        if (opts.signal.aborted) break;
        delay = Math.min(delay * 2, opts.maxRetryMs ?? 30_000);
      }
    }
    await store?.close();
    return undefined;
  } finally {
    await health.stop();
  }
}

function abortableSleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });
}
