/**
 * prom-client helpers. Each service instance registers its metrics in its own Registry
 * (so several services, or several instances in tests, can share one process); process
 * metrics (CPU, memory, GC, event-loop lag) are collected once per process in
 * `processRegistry()`. The health server exposes the merge of both.
 */
import { Registry, collectDefaultMetrics } from 'prom-client';

let processMetrics: Registry | undefined;

/** Process-wide default metrics (incl. `nodejs_eventloop_lag_*`), created on first use. */
export function processRegistry(): Registry {
  if (!processMetrics) {
    processMetrics = new Registry();
    collectDefaultMetrics({ register: processMetrics, eventLoopMonitoringPrecision: 10 });
  }
  return processMetrics;
}

/**
 * A fresh registry for one service instance (metric names carry the service:
 * `eaglepool_<service>_...`). Register every metric before starting the health server:
 * it serves a merge made at start.
 */
export function serviceRegistry(): Registry {
  return new Registry();
}
