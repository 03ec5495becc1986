/**
 * The stateful children (CKB node, Kafka, Redis) are rolled one at a time, as Strimzi rolls its
 * brokers: a StatefulSet's new template is applied only while no other StatefulSet of the pool is
 * still rolling, so a config change or an operator upgrade never restarts the node, the share log
 * and the store together.
 *
 * And a StatefulSet stuck behind its own outdated pod is unstuck: with `OrderedReady` (the
 * default) the StatefulSet controller waits for a pod to be Running and Ready before it replaces
 * it, so a pod crash-looping on the old template is never updated, and reverting the template does
 * not help either (the known issue of kubernetes' StatefulSet docs, "Forced rollback"). The
 * operator deletes such a pod itself; the controller recreates it from the update revision.
 */
import type { KubeObject } from '../kube/rest.js';
import { HASH_ANNOTATION, type K8sObject } from '../render/meta.js';
import type { PodLike } from './pod-health.js';

export interface StatefulSetLike {
  metadata: { name: string; generation?: number; annotations?: Record<string, string> };
  spec?: { replicas?: number };
  status?: {
    observedGeneration?: number;
    replicas?: number;
    readyReplicas?: number;
    updatedReplicas?: number;
    currentRevision?: string;
    updateRevision?: string;
  };
}

/** The controller has seen the current template and every replica runs it, ready. */
export function isSettled(set: StatefulSetLike): boolean {
  const want = set.spec?.replicas ?? 1;
  const s = set.status ?? {};
  return (
    (s.observedGeneration ?? 0) >= (set.metadata.generation ?? 0) &&
    (s.updateRevision === undefined || s.currentRevision === s.updateRevision) &&
    (s.updatedReplicas ?? 0) >= want &&
    (s.readyReplicas ?? 0) >= want
  );
}

/**
 * Which pending StatefulSet updates may be applied now. `pending`: desired StatefulSets whose
 * intent differs from what the server has (in render order); `current`: the server's objects by
 * name. While one set is rolling only it may change again; otherwise only the first pending one.
 */
export function statefulUpdatesAllowed(
  pending: readonly K8sObject[],
  current: ReadonlyMap<string, StatefulSetLike>,
): Set<string> {
  const rolling = [...current.values()].filter((s) => !isSettled(s)).map((s) => s.metadata.name);
  if (rolling.length > 0)
    return new Set(pending.map((d) => d.metadata.name).filter((n) => rolling.includes(n)));
  return new Set(pending.slice(0, 1).map((d) => d.metadata.name));
}

/** The desired object differs from the server's (by the applied-intent hash). */
export const needsUpdate = (desired: K8sObject, current: KubeObject | StatefulSetLike): boolean =>
  current.metadata.annotations?.[HASH_ANNOTATION] !== desired.metadata.annotations?.[HASH_ANNOTATION];

const REVISION_LABEL = 'controller-revision-hash';

interface OwnedPod extends PodLike {
  metadata: PodLike['metadata'] & { ownerReferences?: { kind: string; name: string }[] };
}

const isReady = (pod: PodLike): boolean =>
  pod.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false;

/**
 * Pods to delete: of a StatefulSet whose controller has seen its template (observedGeneration)
 * and is mid-update, the pods still on an older revision that are not ready (crash-looping,
 * failing their probes, pending). Ready outdated pods are left to the controller's own rollout.
 */
export function outdatedUnreadyPods(sets: readonly StatefulSetLike[], pods: readonly OwnedPod[]): OwnedPod[] {
  const out: OwnedPod[] = [];
  for (const set of sets) {
    const s = set.status;
    if (!s?.updateRevision || s.updateRevision === s.currentRevision) continue;
    if ((s.observedGeneration ?? 0) < (set.metadata.generation ?? 0)) continue;
    for (const pod of pods) {
      const owned = pod.metadata.ownerReferences?.some(
        (o) => o.kind === 'StatefulSet' && o.name === set.metadata.name,
      );
      if (!owned || pod.metadata.deletionTimestamp) continue;
      const revision = pod.metadata.labels?.[REVISION_LABEL];
      if (revision !== undefined && revision !== s.updateRevision && !isReady(pod)) out.push(pod);
    }
  }
  return out;
}
