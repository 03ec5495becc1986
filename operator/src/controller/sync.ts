/**
 * Bringing one child to its intent without fighting anybody:
 * - absent: server-side apply (creates it, owned by the pool);
 * - owned by the pool and its applied-hash annotation matches: nothing to write;
 * - another field manager holds fields of our intent: reported, not applied;
 * - otherwise: server-side apply, forced only when the pool controls the object.
 */
import type { MiningPool } from '../api/types.js';
import type { KubeApiError } from '../kube/rest.js';
import { isConflict, type KubeObject } from '../kube/rest.js';
import { HASH_ANNOTATION, type K8sObject } from '../render/meta.js';
import type { Cluster } from './cluster.js';
import { describeConflicts, foreignFieldConflicts, isControlledBy } from './ownership.js';

export type SyncAction = 'created' | 'updated' | 'unchanged' | 'conflict' | 'error';

export interface SyncOutcome {
  desired: K8sObject;
  action: SyncAction;
  /** The object as the server has it after the sync (absent on error). */
  current?: KubeObject;
  message?: string;
}

const refOf = (o: K8sObject) => ({
  apiVersion: o.apiVersion,
  kind: o.kind,
  namespace: o.metadata.namespace,
  name: o.metadata.name,
});

export async function syncChild(
  cluster: Cluster,
  pool: MiningPool,
  desired: K8sObject,
): Promise<SyncOutcome> {
  try {
    const current = await cluster.get(refOf(desired));
    if (!current)
      return {
        desired,
        action: 'created',
        current: await cluster.apply(desired as KubeObject, { force: true }),
      };
    const owned = isControlledBy(current, pool.metadata.uid);
    const foreign = foreignFieldConflicts(current, desired as KubeObject);
    if (foreign.length > 0)
      return { desired, action: 'conflict', current, message: describeConflicts(desired, foreign) };
    if (
      owned &&
      current.metadata.annotations?.[HASH_ANNOTATION] === desired.metadata.annotations?.[HASH_ANNOTATION]
    ) {
      return { desired, action: 'unchanged', current };
    }
    return {
      desired,
      action: 'updated',
      current: await cluster.apply(desired as KubeObject, { force: owned }),
    };
  } catch (err) {
    if (isConflict(err)) {
      const causes = (err as KubeApiError).details?.causes?.map((c) => c.message ?? c.field).join('; ');
      return {
        desired,
        action: 'conflict',
        message: `${desired.kind} ${desired.metadata.name}: ${causes || (err as Error).message}`,
      };
    }
    return {
      desired,
      action: 'error',
      message: `${desired.kind} ${desired.metadata.name}: ${(err as Error).message}`,
    };
  }
}
