import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../kube/rest.js';
import {
  conflictsFromCauses,
  describeConflicts,
  foreignFieldConflicts,
  intentPaths,
  isControlledBy,
  managedPaths,
} from './ownership.js';

const intent: KubeObject = {
  apiVersion: 'v1',
  kind: 'Service',
  metadata: { name: 's', labels: { a: '1' }, annotations: { h: 'x' } },
  spec: { type: 'LoadBalancer', ports: [{ port: 1 }], selector: { app: 'x' } },
};

const withManaged = (managedFields: NonNullable<KubeObject['metadata']['managedFields']>): KubeObject => ({
  ...intent,
  metadata: { ...intent.metadata, managedFields },
});

describe('field ownership', () => {
  it('lists intent leaves with lists as leaves', () => {
    expect(intentPaths({ spec: { type: 'x', ports: [{ port: 1 }], empty: {} } })).toEqual([
      'f:spec/f:type',
      'f:spec/f:ports',
      'f:spec/f:empty',
    ]);
  });

  it('reads fieldsV1 down to list elements, ignoring "."', () => {
    const f = {
      'f:metadata': { 'f:labels': { '.': {}, 'f:a': {} } },
      'f:spec': { 'f:ports': { 'k:{"port":1}': { '.': {}, 'f:port': {} } } },
    };
    expect(managedPaths(f)).toEqual(['f:metadata/f:labels/f:a', 'f:spec/f:ports/k:{"port":1}']);
  });

  it('reports fields of our intent held by another manager, not disjoint ones, not status or ours', () => {
    const obj = withManaged([
      { manager: 'eaglepool-operator', operation: 'Apply', fieldsV1: { 'f:spec': { 'f:type': {} } } },
      {
        manager: 'kubectl',
        operation: 'Apply',
        fieldsV1: { 'f:spec': { 'f:type': {}, 'f:ports': { 'k:{"port":1}': {} } } },
      },
      {
        manager: 'kube-controller-manager',
        operation: 'Update',
        fieldsV1: { 'f:metadata': { 'f:annotations': { 'f:other': {} } } },
      },
      {
        manager: 'kubelet',
        operation: 'Update',
        subresource: 'status',
        fieldsV1: { 'f:spec': { 'f:type': {} } },
      },
    ]);
    expect(foreignFieldConflicts(obj, intent)).toEqual([
      { manager: 'kubectl', fields: ['.spec.type', '.spec.ports'] },
    ]);
    expect(foreignFieldConflicts(withManaged([]), intent)).toEqual([]);
  });

  it('recognises the controller owner reference by uid', () => {
    const obj = {
      ...intent,
      metadata: {
        ...intent.metadata,
        ownerReferences: [{ apiVersion: 'x', kind: 'y', name: 'p', uid: 'u1', controller: true }],
      },
    };
    expect(isControlledBy(obj, 'u1')).toBe(true);
    expect(isControlledBy(obj, 'u2')).toBe(false);
  });

  it('reads the managers out of a server-side apply 409', () => {
    const causes = [
      { reason: 'FieldManagerConflict', message: 'conflict with "kubectl": .spec.type', field: '.spec.type' },
      {
        reason: 'FieldManagerConflict',
        message: 'conflict with "kubectl": .spec.ports',
        field: '.spec.ports',
      },
      {
        reason: 'FieldManagerConflict',
        message: 'conflict with "helm" using v1: .metadata.labels.a',
        field: '.metadata.labels.a',
      },
    ];
    expect(describeConflicts(intent, conflictsFromCauses(causes))).toBe(
      'Service s: .spec.type, .spec.ports managed by "kubectl"; .metadata.labels.a managed by "helm"',
    );
  });
});
