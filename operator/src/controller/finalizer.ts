/**
 * Deletion of a MiningPool, honouring spec.pvcRetentionPolicy:
 * - Delete: the data PVCs of the managed CKB node, Kafka and Redis and the Noise key Secret go;
 * - Retain: they stay, and the Secret is orphaned (owner reference removed) so the garbage
 *   collector keeps it and a re-created pool of the same name keeps its keys.
 * Everything else is removed by the garbage collector through owner references.
 */
import type { MiningPool } from '../api/types.js';
import type { KubeObject } from '../kube/rest.js';
import { FINALIZER, childName } from '../render/meta.js';
import type { Cluster } from './cluster.js';
import type { EventSink } from './events.js';

export const dataSelector = (pool: MiningPool): string =>
  `app.kubernetes.io/name=eaglepool,app.kubernetes.io/instance=${pool.metadata.name}`;

export const poolRef = (pool: {
  apiVersion: string;
  kind: string;
  metadata: { namespace?: string; name: string };
}) => ({
  apiVersion: pool.apiVersion,
  kind: pool.kind,
  namespace: pool.metadata.namespace,
  name: pool.metadata.name,
});

/** Merge patch of the finalizer list, guarded by resourceVersion (a concurrent change -> 409 -> retry). */
export function setFinalizers(cluster: Cluster, pool: MiningPool, finalizers: string[]): Promise<KubeObject> {
  return cluster.mergePatch(poolRef(pool), {
    metadata: { finalizers, resourceVersion: pool.metadata.resourceVersion },
  });
}

export async function finalize(cluster: Cluster, events: EventSink, pool: MiningPool): Promise<void> {
  const pvcs = (
    await cluster.list(
      { apiVersion: 'v1', kind: 'PersistentVolumeClaim', namespace: pool.metadata.namespace },
      dataSelector(pool),
    )
  ).items;
  const secretRef = {
    apiVersion: 'v1',
    kind: 'Secret',
    namespace: pool.metadata.namespace,
    name: childName(pool, 'noise'),
  };
  if (pool.spec.pvcRetentionPolicy === 'Delete') {
    for (const pvc of pvcs)
      await cluster.delete({
        apiVersion: 'v1',
        kind: 'PersistentVolumeClaim',
        namespace: pool.metadata.namespace,
        name: pvc.metadata.name,
      });
    await cluster.delete(secretRef);
    await events.emit(
      pool,
      'Normal',
      'DataDeleted',
      'Delete',
      `deleted ${pvcs.length} PersistentVolumeClaim(s) and the Noise key Secret (pvcRetentionPolicy=Delete)`,
    );
  } else {
    const secret = await cluster.get(secretRef);
    const refs = secret?.metadata.ownerReferences ?? [];
    if (secret && refs.some((r) => r.uid === pool.metadata.uid)) {
      const rest = refs.filter((r) => r.uid !== pool.metadata.uid);
      await cluster.mergePatch(secretRef, {
        metadata: {
          ownerReferences: rest.length > 0 ? rest : null,
          resourceVersion: secret.metadata.resourceVersion,
        },
      });
    }
    const names = pvcs.map((p) => p.metadata.name).join(', ') || 'none';
    await events.emit(
      pool,
      'Normal',
      'DataRetained',
      'Delete',
      `kept PersistentVolumeClaims (${names}) and the Noise key Secret (pvcRetentionPolicy=Retain)`,
    );
  }
  await setFinalizers(
    cluster,
    pool,
    (pool.metadata.finalizers ?? []).filter((f) => f !== FINALIZER),
  );
}
