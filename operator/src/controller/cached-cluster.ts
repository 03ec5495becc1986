/**
 * Reads children from the informer caches instead of the API server. Only a cache *hit* is
 * trusted: the caches hold just the objects labelled as ours, so a miss (absent, or somebody
 * else's object of that name) falls through to a GET. Writes always go to the server.
 */
import type { KubeObject } from '../kube/rest.js';
import type { ObjectRef } from '../kube/resources.js';
import type { Cluster } from './cluster.js';

export interface ObjectCache {
  get(name: string, namespace?: string): unknown;
}

export class CachedCluster implements Cluster {
  constructor(
    private readonly server: Cluster,
    /** `apiVersion/kind` -> cache of that kind. */
    private readonly caches: ReadonlyMap<string, ObjectCache>,
  ) {}

  async get<T = KubeObject>(ref: ObjectRef, subresource?: string): Promise<T | undefined> {
    const cache = subresource || !ref.name ? undefined : this.caches.get(`${ref.apiVersion}/${ref.kind}`);
    const hit = cache?.get(ref.name!, ref.namespace);
    if (hit) return structuredClone(hit) as T;
    return this.server.get<T>(ref, subresource);
  }

  managedFromCache(ref: ObjectRef): KubeObject | null | undefined {
    const cache = ref.name ? this.caches.get(`${ref.apiVersion}/${ref.kind}`) : undefined;
    if (!cache) return undefined;
    const hit = cache.get(ref.name!, ref.namespace);
    return hit ? (structuredClone(hit) as KubeObject) : null;
  }

  list: Cluster['list'] = (ref, labelSelector) => this.server.list(ref, labelSelector);
  apply: Cluster['apply'] = (obj, opts) => this.server.apply(obj, opts);
  create: Cluster['create'] = (obj) => this.server.create(obj);
  mergePatch: Cluster['mergePatch'] = (ref, patch, subresource) =>
    this.server.mergePatch(ref, patch, subresource);
  delete: Cluster['delete'] = (ref, propagationPolicy) => this.server.delete(ref, propagationPolicy);
}
