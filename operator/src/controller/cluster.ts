/** The slice of the API the reconciler needs: KubeRest implements it, tests use an in-memory fake. */
import type { KubeObject, KubeRest } from '../kube/rest.js';
import type { ObjectRef } from '../kube/resources.js';

export type Cluster = Pick<KubeRest, 'get' | 'list' | 'apply' | 'create' | 'mergePatch' | 'delete'> & {
  /**
   * Our labelled object of that name from a cache, when this kind is cached (a miss is then
   * authoritative for "nothing of ours there"); undefined when the kind is not cached.
   */
  managedFromCache?(ref: ObjectRef): KubeObject | null | undefined;
};
