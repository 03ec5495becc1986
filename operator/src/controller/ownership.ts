/**
 * Who owns what: controller ownerReferences, and which of our intended fields another field
 * manager holds (from metadata.managedFields), so we report such conflicts instead of
 * forcing over them.
 */
import type { KubeObject, ManagedFieldsEntry } from '../kube/rest.js';
import { FIELD_MANAGER } from '../render/meta.js';

export function isControlledBy(obj: KubeObject, uid: string): boolean {
  return (obj.metadata.ownerReferences ?? []).some((r) => r.uid === uid && r.controller === true);
}

/** Leaf paths of an applied intent, as fieldsV1 would spell them ("f:spec/f:type"); arrays are leaves. */
export function intentPaths(value: unknown, prefix = ''): string[] {
  if (value && typeof value === 'object' && !Array.isArray(value)) {
    const entries = Object.entries(value as Record<string, unknown>);
    if (entries.length === 0) return prefix ? [prefix] : [];
    return entries.flatMap(([k, v]) => intentPaths(v, `${prefix}${prefix ? '/' : ''}f:${k}`));
  }
  return prefix ? [prefix] : [];
}

/** Paths (down to the first list element key) that a managedFields entry owns. */
export function managedPaths(fields: Record<string, unknown>, prefix = ''): string[] {
  const out: string[] = [];
  for (const [k, v] of Object.entries(fields)) {
    if (k === '.') continue;
    const path = `${prefix}${prefix ? '/' : ''}${k}`;
    const children = v && typeof v === 'object' ? Object.keys(v as object).filter((c) => c !== '.') : [];
    // Below a list element (k:/v:/i:) the whole element counts: our intents treat lists as leaves.
    if (!k.startsWith('f:') || children.length === 0) out.push(path);
    else out.push(...managedPaths(v as Record<string, unknown>, path));
  }
  return out;
}

const overlaps = (a: string, b: string): boolean => a === b || a.startsWith(`${b}/`) || b.startsWith(`${a}/`);

export interface FieldConflict {
  manager: string;
  fields: string[];
}

/** Fields of `intent` that a manager other than ours holds on `current` (status subresource ignored). */
export function foreignFieldConflicts(
  current: KubeObject,
  intent: KubeObject,
  ours = FIELD_MANAGER,
): FieldConflict[] {
  const wanted = intentPaths({
    metadata: { labels: intent.metadata.labels, annotations: intent.metadata.annotations },
    ...withoutMeta(intent),
  });
  const conflicts: FieldConflict[] = [];
  for (const entry of current.metadata.managedFields ?? []) {
    if (!isForeign(entry, ours)) continue;
    const theirs = managedPaths(entry.fieldsV1 ?? {});
    const fields = wanted.filter((w) => theirs.some((t) => overlaps(w, t)));
    if (fields.length > 0)
      conflicts.push({ manager: entry.manager ?? '(unknown)', fields: fields.map(humanPath) });
  }
  return conflicts;
}

function isForeign(entry: ManagedFieldsEntry, ours: string): boolean {
  return entry.manager !== ours && entry.subresource !== 'status';
}

function withoutMeta(obj: KubeObject): Record<string, unknown> {
  const { apiVersion: _a, kind: _k, metadata: _m, ...rest } = obj;
  return rest;
}

/** "f:spec/f:type" -> ".spec.type" */
export const humanPath = (p: string): string => `.${p.replace(/(^|\/)f:/g, '$1').replace(/\//g, '.')}`;

export function describeConflicts(
  obj: { kind: string; metadata: { name: string } },
  conflicts: FieldConflict[],
): string {
  return `${obj.kind} ${obj.metadata.name}: ${conflicts.map((c) => `${c.fields.join(', ')} managed by "${c.manager}"`).join('; ')}`;
}

/** Conflicts from a 409 of server-side apply (causes like `conflict with "kubectl": .spec.type`). */
export function conflictsFromCauses(causes: { field?: string; message?: string }[]): FieldConflict[] {
  const byManager = new Map<string, string[]>();
  for (const c of causes) {
    const manager = /conflict with "([^"]+)"/.exec(c.message ?? '')?.[1] ?? '(unknown)';
    byManager.set(manager, [...(byManager.get(manager) ?? []), c.field ?? c.message ?? '?']);
  }
  return [...byManager].map(([manager, fields]) => ({ manager, fields }));
}
