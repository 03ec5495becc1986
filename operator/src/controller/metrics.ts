/** Operator metrics on its own prom-client registry (served at /metrics). */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

export class OperatorMetrics {
  readonly registry = new Registry();
  readonly reconciles = new Counter({
    name: 'eaglepool_operator_reconciles_total',
    help: 'Reconciles by result (success, error).',
    labelNames: ['result'] as const,
    registers: [this.registry],
  });
  readonly duration = new Histogram({
    name: 'eaglepool_operator_reconcile_duration_seconds',
    help: 'Duration of one reconcile.',
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [this.registry],
  });
  readonly errors = new Counter({
    name: 'eaglepool_operator_errors_total',
    help: 'Errors by source (reconcile, informer, leader, event).',
    labelNames: ['source'] as const,
    registers: [this.registry],
  });
  readonly childSyncs = new Counter({
    name: 'eaglepool_operator_child_syncs_total',
    help: 'Child syncs by kind and action (created, updated, unchanged, conflict, error).',
    labelNames: ['kind', 'action'] as const,
    registers: [this.registry],
  });
  readonly informerRestarts = new Counter({
    name: 'eaglepool_operator_informer_restarts_total',
    help: 'Informer restarts by resource.',
    labelNames: ['resource'] as const,
    registers: [this.registry],
  });
  readonly queueDepth = new Gauge({
    name: 'eaglepool_operator_queue_depth',
    help: 'Keys waiting in the work queue.',
    registers: [this.registry],
  });
  readonly leader = new Gauge({
    name: 'eaglepool_operator_leader',
    help: '1 while this replica holds the leader Lease.',
    registers: [this.registry],
  });

  constructor() {
    collectDefaultMetrics({ register: this.registry, prefix: 'eaglepool_operator_' });
  }
}
