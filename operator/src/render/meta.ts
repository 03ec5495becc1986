/** Names, labels and owner references shared by every rendered child. */
import { createHash } from 'node:crypto';
import { API_VERSION, GROUP, KIND, type MiningPool } from '../api/types.js';

/** A Kubernetes object as the renderers produce it: plain JSON, ready for server-side apply. */
export interface K8sObject {
  apiVersion: string;
  kind: string;
  metadata: {
    name: string;
    namespace?: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
    ownerReferences?: OwnerReference[];
    [key: string]: unknown;
  };
  [key: string]: unknown;
}

export interface OwnerReference {
  apiVersion: string;
  kind: string;
  name: string;
  uid: string;
  controller: boolean;
  blockOwnerDeletion: boolean;
}

export type Component =
  | 'ckb'
  | 'kafka'
  | 'redis'
  | 'jobmaker'
  | 'blockmaker'
  | 'shareprocessor'
  | 'stratum'
  | 'translator'
  | 'noise'
  | 'config'
  | 'monitoring';

export const FIELD_MANAGER = 'eaglepool-operator';
export const MANAGED_BY = 'eaglepool-operator';
/** sha256 of the applied intent: equal hash => nothing to apply. */
export const HASH_ANNOTATION = `${GROUP}/applied-hash`;
/** sha256 of the pool config on pod templates, so a config change rolls the pods. */
export const CONFIG_HASH_ANNOTATION = `${GROUP}/config-hash`;
export const FINALIZER = `${GROUP}/retention`;

export const childName = (pool: MiningPool, component: Component): string =>
  `${pool.metadata.name}-${component}`;

export function selectorLabels(pool: MiningPool, component: Component): Record<string, string> {
  return {
    'app.kubernetes.io/name': 'eaglepool',
    'app.kubernetes.io/instance': pool.metadata.name,
    'app.kubernetes.io/component': component,
  };
}

export function labels(pool: MiningPool, component: Component): Record<string, string> {
  return {
    ...selectorLabels(pool, component),
    'app.kubernetes.io/part-of': 'eaglepool',
    'app.kubernetes.io/managed-by': MANAGED_BY,
  };
}

/** "k=v,k=v" as a label selector string (scale subresource, HPA). */
export const selectorString = (l: Record<string, string>): string =>
  Object.entries(l)
    .map(([k, v]) => `${k}=${v}`)
    .join(',');

export function ownerReference(pool: MiningPool): OwnerReference {
  return {
    apiVersion: API_VERSION,
    kind: KIND,
    name: pool.metadata.name,
    uid: pool.metadata.uid,
    controller: true,
    blockOwnerDeletion: true,
  };
}

/** Standard metadata of a child: namespace, labels, controller owner reference. */
export function childMeta(
  pool: MiningPool,
  component: Component,
  name = childName(pool, component),
): K8sObject['metadata'] {
  return {
    name,
    namespace: pool.metadata.namespace,
    labels: labels(pool, component),
    ownerReferences: [ownerReference(pool)],
  };
}

/** Stable JSON (sorted keys) so equal objects hash equally. */
export function stableJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(stableJson).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${stableJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

export const sha256 = (text: string): string => createHash('sha256').update(text).digest('hex');

/** Returns the object with HASH_ANNOTATION set to the hash of everything else in it. */
export function withAppliedHash<T extends K8sObject>(obj: T): T {
  const hash = sha256(stableJson(obj));
  return {
    ...obj,
    metadata: { ...obj.metadata, annotations: { ...obj.metadata.annotations, [HASH_ANNOTATION]: hash } },
  };
}

/** Drops undefined values and empty objects/arrays the caller marked optional, so intents stay minimal. */
export function compact<T>(value: T): T {
  if (Array.isArray(value)) return value.map(compact) as T;
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) if (v !== undefined) out[k] = compact(v);
    return out as T;
  }
  return value;
}

/** An immutable Opaque Secret the operator generates once (create-only; see reconcile's ensureGeneratedSecret). */
export function generatedSecret(
  pool: MiningPool,
  component: Component,
  name: string,
  stringData: Record<string, string>,
): K8sObject {
  return {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: childMeta(pool, component, name),
    type: 'Opaque',
    immutable: true,
    stringData,
  };
}
