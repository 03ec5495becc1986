/**
 * In-memory API server for unit tests of the reconciler: resourceVersions, server-side apply
 * with per-manager field ownership and conflicts, create-only, merge patch with optimistic
 * concurrency, label-selector lists, a write log. No defaulting, admission or GC.
 */
import { KubeApiError, type KubeObject } from '../src/kube/rest.js';
import { resourcePath, type ObjectRef } from '../src/kube/resources.js';
import { humanPath, intentPaths, managedPaths } from '../src/controller/ownership.js';
import type { Cluster } from '../src/controller/cluster.js';

type Obj = KubeObject & { status?: unknown };

const clone = <T>(v: T): T => structuredClone(v);

function toFieldsV1(paths: string[]): Record<string, unknown> {
  const root: Record<string, unknown> = {};
  for (const p of paths) {
    let node = root;
    for (const part of p.split('/')) node = (node[part] ??= {}) as Record<string, unknown>;
  }
  return root;
}

function mergePatchInto(
  target: Record<string, unknown>,
  patch: Record<string, unknown>,
): Record<string, unknown> {
  const out = { ...target };
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete out[k];
    else if (
      v &&
      typeof v === 'object' &&
      !Array.isArray(v) &&
      out[k] &&
      typeof out[k] === 'object' &&
      !Array.isArray(out[k])
    ) {
      out[k] = mergePatchInto(out[k] as Record<string, unknown>, v as Record<string, unknown>);
    } else out[k] = clone(v);
  }
  return out;
}

export class FakeCluster implements Cluster {
  readonly objects = new Map<string, Obj>();
  readonly writes: string[] = [];
  private rv = 1;
  private uid = 1;

  private key(ref: ObjectRef): string {
    return resourcePath(ref);
  }

  private stamp(obj: Obj): Obj {
    obj.metadata.resourceVersion = String(++this.rv);
    obj.metadata.uid ??= `uid-${this.uid++}`;
    return obj;
  }

  /** Stores an object as another client would (manager `kubectl` by default). */
  seed(obj: KubeObject, manager = 'kubectl'): Obj {
    const o = this.stamp(clone(obj) as Obj);
    o.metadata.generation ??= 1;
    o.metadata.managedFields = [
      { manager, operation: 'Apply', fieldsV1: toFieldsV1(intentPaths(withoutMeta(obj))) },
    ];
    this.objects.set(this.key(refOf(o)), o);
    return clone(o);
  }

  async get<T = KubeObject>(ref: ObjectRef, subresource?: string): Promise<T | undefined> {
    void subresource;
    const o = this.objects.get(this.key(ref));
    return o ? (clone(o) as T) : undefined;
  }

  async list<T = KubeObject>(
    ref: ObjectRef,
    labelSelector?: string,
  ): Promise<{ items: T[]; metadata: { resourceVersion?: string } }> {
    const want = (labelSelector ?? '')
      .split(',')
      .filter(Boolean)
      .map((kv) => kv.split('=') as [string, string]);
    const items = [...this.objects.values()].filter(
      (o) =>
        o.apiVersion === ref.apiVersion &&
        o.kind === ref.kind &&
        (!ref.namespace || o.metadata.namespace === ref.namespace) &&
        want.every(([k, v]) => o.metadata.labels?.[k] === v),
    );
    return { items: clone(items) as T[], metadata: { resourceVersion: String(this.rv) } };
  }

  async apply<T = KubeObject>(obj: KubeObject, opts: { force: boolean; subresource?: string }): Promise<T> {
    const key = this.key(refOf(obj));
    const current = this.objects.get(key);
    this.writes.push(
      `apply ${obj.kind}/${obj.metadata.name}${opts.subresource ? `/${opts.subresource}` : ''}`,
    );
    if (opts.subresource === 'status') {
      if (!current) throw new KubeApiError(404, 'NotFound', 'not found');
      current.status = clone(obj.status);
      return clone(this.stamp(current)) as T;
    }
    const paths = intentPaths({
      metadata: { labels: obj.metadata.labels, annotations: obj.metadata.annotations },
      ...withoutMeta(obj),
    });
    const others = (current?.metadata.managedFields ?? []).filter((m) => m.manager !== 'eaglepool-operator');
    if (!opts.force) {
      const clash = others.flatMap((m) =>
        paths
          .filter((p) =>
            managedPaths(m.fieldsV1 ?? {}).some(
              (t) => t === p || t.startsWith(`${p}/`) || p.startsWith(`${t}/`),
            ),
          )
          .map((p) => ({ m, p })),
      );
      if (clash.length > 0) {
        throw new KubeApiError(409, 'Conflict', 'Apply failed with conflicts', {
          causes: clash.map(({ m, p }) => ({
            reason: 'FieldManagerConflict',
            message: `conflict with "${m.manager}": ${humanPath(p)}`,
            field: humanPath(p),
          })),
        });
      }
    }
    const next: Obj = {
      ...(current ? clone(current) : {}),
      ...clone(obj),
      metadata: { ...current?.metadata, ...clone(obj.metadata) },
    } as Obj;
    if (current && JSON.stringify(withoutMeta(current)) !== JSON.stringify(withoutMeta(next)))
      next.metadata.generation = (current.metadata.generation ?? 1) + 1;
    next.metadata.generation ??= 1;
    next.metadata.managedFields = [
      ...others,
      { manager: 'eaglepool-operator', operation: 'Apply', fieldsV1: toFieldsV1(paths) },
    ];
    this.objects.set(key, this.stamp(next));
    return clone(next) as T;
  }

  async create<T = KubeObject>(obj: KubeObject): Promise<T | undefined> {
    const key = this.key(refOf(obj));
    if (this.objects.has(key)) return undefined;
    this.writes.push(`create ${obj.kind}/${obj.metadata.name}`);
    const o = this.stamp(clone(obj) as Obj);
    if (o.kind === 'Secret' && o.stringData) {
      o.data = Object.fromEntries(
        Object.entries(o.stringData as Record<string, string>).map(([k, v]) => [
          k,
          Buffer.from(v).toString('base64'),
        ]),
      );
      delete o.stringData;
    }
    this.objects.set(key, o);
    return clone(o) as T;
  }

  /** PUT with optimistic concurrency on metadata.resourceVersion. */
  async replace<T = KubeObject>(obj: KubeObject): Promise<T> {
    const key = this.key(refOf(obj));
    const current = this.objects.get(key);
    if (!current) throw new KubeApiError(404, 'NotFound', 'not found');
    if (obj.metadata.resourceVersion !== current.metadata.resourceVersion)
      throw new KubeApiError(409, 'Conflict', 'the object has been modified');
    this.writes.push(`replace ${obj.kind}/${obj.metadata.name}`);
    const next = this.stamp(clone(obj) as Obj);
    this.objects.set(key, next);
    return clone(next) as T;
  }

  async mergePatch<T = KubeObject>(ref: ObjectRef, patch: unknown): Promise<T> {
    const key = this.key(ref);
    const current = this.objects.get(key);
    if (!current) throw new KubeApiError(404, 'NotFound', 'not found');
    const p = clone(patch) as { metadata?: { resourceVersion?: string } };
    if (p.metadata?.resourceVersion && p.metadata.resourceVersion !== current.metadata.resourceVersion) {
      throw new KubeApiError(409, 'Conflict', 'the object has been modified');
    }
    if (p.metadata) delete p.metadata.resourceVersion;
    this.writes.push(`patch ${ref.kind}/${ref.name}`);
    const next = mergePatchInto(current, p as Record<string, unknown>) as Obj;
    // Like the API server: an object being deleted goes away once its last finalizer does.
    if (next.metadata.deletionTimestamp && !(next.metadata.finalizers ?? []).length) {
      this.objects.delete(key);
      return clone(next) as T;
    }
    this.objects.set(key, this.stamp(next));
    return clone(next) as T;
  }

  async delete(ref: ObjectRef): Promise<boolean> {
    const key = this.key(ref);
    const current = this.objects.get(key);
    if (!current) return false;
    this.writes.push(`delete ${ref.kind}/${ref.name}`);
    if ((current.metadata.finalizers ?? []).length > 0) {
      current.metadata.deletionTimestamp = new Date(0).toISOString();
      this.stamp(current);
    } else this.objects.delete(key);
    return true;
  }
}

function refOf(o: KubeObject): ObjectRef {
  return { apiVersion: o.apiVersion, kind: o.kind, namespace: o.metadata.namespace, name: o.metadata.name };
}

function withoutMeta(o: KubeObject): Record<string, unknown> {
  const { apiVersion: _a, kind: _k, metadata: _m, status: _s, ...rest } = o as Obj;
  return rest;
}
