/** events.k8s.io/v1 Events about a MiningPool, for what users must see (`kubectl describe`, `kubectl events`). */
import { randomBytes } from 'node:crypto';
import type { MiningPool } from '../api/types.js';
import type { Cluster } from './cluster.js';

export const REPORTING_CONTROLLER = 'mining.eaglepool.dev/operator';

export interface EventSink {
  emit(
    pool: MiningPool,
    type: 'Normal' | 'Warning',
    reason: string,
    action: string,
    note: string,
  ): Promise<void>;
}

/** MicroTime: RFC 3339 with exactly six fractional digits. */
export const microTime = (d: Date): string => d.toISOString().replace(/\.(\d{3})Z$/, '.$1000Z');

export function eventObject(
  pool: MiningPool,
  type: 'Normal' | 'Warning',
  reason: string,
  action: string,
  note: string,
  instance: string,
  now: Date,
) {
  return {
    apiVersion: 'events.k8s.io/v1',
    kind: 'Event',
    metadata: {
      name: `${pool.metadata.name}.${now.getTime().toString(16)}${randomBytes(3).toString('hex')}`,
      namespace: pool.metadata.namespace,
    },
    eventTime: microTime(now),
    reportingController: REPORTING_CONTROLLER,
    reportingInstance: instance,
    action,
    reason,
    note: note.slice(0, 1024),
    type,
    regarding: {
      apiVersion: pool.apiVersion,
      kind: pool.kind,
      name: pool.metadata.name,
      namespace: pool.metadata.namespace,
      uid: pool.metadata.uid,
    },
  };
}

export class KubeEvents implements EventSink {
  constructor(
    private readonly cluster: Cluster,
    private readonly instance: string,
    private readonly onError: (err: unknown) => void = () => {},
  ) {}

  async emit(
    pool: MiningPool,
    type: 'Normal' | 'Warning',
    reason: string,
    action: string,
    note: string,
  ): Promise<void> {
    try {
      await this.cluster.create(eventObject(pool, type, reason, action, note, this.instance, new Date()));
    } catch (err) {
      this.onError(err); // an Event is best effort: never fail a reconcile over it
    }
  }
}
