/**
 * Bringing one child to its intent without fighting anybody:
 * - absent: server-side apply (creates it, owned by the pool); with informer caches, a cache
 *   miss is applied without force and without a GET (absent or foreign: a conflict is reported);
 * - owned by the pool and its applied-hash annotation matches: nothing to write;
 * - another field manager holds fields of our intent: reported, not applied;
 * - otherwise: server-side apply, forced only when the pool controls the object.
 */
import type { MiningPool } from '../api/types.js';
import type { KubeApiError } from '../kube/rest.js';
import { isConflict, type KubeObject } from '../kube/rest.js';
import { HASH_ANNOTATION, type K8sObject } from '../render/meta.js';
import type { Cluster } from './cluster.js';
import {
  conflictsFromCauses,
  describeConflicts,
  foreignFieldConflicts,
  isControlledBy,
} from './ownership.js';

/** `held`: an update not applied yet (a stateful child waits for another one's rollout). */
export type SyncAction = 'created' | 'updated' | 'unchanged' | 'held' | 'conflict' | 'error';

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
    const cached = cluster.managedFromCache?.(refOf(desired));
    if (cached === null) {
      // Not in our cache: absent, or somebody else's object. Apply without force either way: it
      // creates the child, or merges onto the foreign object, or fails with a reported conflict.
      return {
        desired,
        action: 'created',
        current: await cluster.apply(desired as KubeObject, { force: false }),
      };
    }
    const current = cached ?? (await cluster.get(refOf(desired)));
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
      const causes = (err as KubeApiError).details?.causes ?? [];
      const message =
        causes.length > 0
          ? describeConflicts(desired, conflictsFromCauses(causes))
          : `${desired.kind} ${desired.metadata.name}: ${(err as Error).message}`;
      return { desired, action: 'conflict', message };
    }
    return {
      desired,
      action: 'error',
      message: `${desired.kind} ${desired.metadata.name}: ${(err as Error).message}`,
    };
  }
}
