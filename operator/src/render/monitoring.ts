/** ServiceMonitor (Prometheus Operator) scraping the `metrics` port of every pool Service. */
import type { MiningPool } from '../api/types.js';
import { childMeta, type K8sObject } from './meta.js';

export function serviceMonitor(pool: MiningPool): K8sObject {
  const sm = pool.spec.monitoring.serviceMonitor;
  const meta = childMeta(pool, 'monitoring', pool.metadata.name);
  return {
    apiVersion: 'monitoring.coreos.com/v1',
    kind: 'ServiceMonitor',
    metadata: { ...meta, labels: { ...meta.labels, ...sm.labels } },
    spec: {
      selector: {
        matchLabels: {
          'app.kubernetes.io/instance': pool.metadata.name,
          'app.kubernetes.io/name': 'eaglepool',
        },
      },
      namespaceSelector: { matchNames: [pool.metadata.namespace] },
      endpoints: [{ port: 'metrics', path: '/metrics', interval: sm.interval }],
    },
  };
}
