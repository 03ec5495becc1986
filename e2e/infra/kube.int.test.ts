import {
  ApiextensionsV1Api,
  CustomObjectsApi,
  KubeConfig,
  KubernetesObjectApi,
  PatchStrategy,
  VersionApi,
} from '@kubernetes/client-node';
import { setTimeout as sleep } from 'node:timers/promises';
import { beforeAll, describe, expect, it } from 'vitest';
import { infraEnv } from './env.js';
import { readVersions } from './harness/paths.js';

const GROUP = 'infra-smoke.eaglepool.io';
const PLURAL = 'gadgets';

// A plain object (as an operator would build it), not the generated model class.
const crd = {
  apiVersion: 'apiextensions.k8s.io/v1',
  kind: 'CustomResourceDefinition',
  metadata: { name: `${PLURAL}.${GROUP}` },
  spec: {
    group: GROUP,
    scope: 'Namespaced',
    names: { plural: PLURAL, singular: 'gadget', kind: 'Gadget', listKind: 'GadgetList' },
    versions: [
      {
        name: 'v1alpha1',
        served: true,
        storage: true,
        subresources: { status: {} },
        schema: {
          openAPIV3Schema: {
            type: 'object',
            properties: {
              spec: {
                type: 'object',
                required: ['size'],
                properties: {
                  size: { type: 'integer', minimum: 1 },
                  color: { type: 'string', default: 'blue' },
                },
              },
              status: { type: 'object', properties: { ready: { type: 'boolean' } } },
            },
          },
        },
      },
    ],
  },
};

describe('infra: kube-apiserver', () => {
  const kc = new KubeConfig();

  beforeAll(() => {
    kc.loadFromFile(infraEnv().kubeconfig);
  });

  it('is the pinned Kubernetes version', async () => {
    const version = await kc.makeApiClient(VersionApi).getCode();
    expect(version.gitVersion).toBe(`v${readVersions().kubernetes}`);
  });

  it('applies a CRD and a custom object (server-side apply), with schema defaults and validation', async () => {
    const objects = KubernetesObjectApi.makeApiClient(kc);
    const apply = <T extends { apiVersion?: string; kind?: string }>(obj: T): Promise<T> =>
      objects.patch(obj, undefined, undefined, 'eaglepool-infra-smoke', true, PatchStrategy.ServerSideApply);

    await apply(crd);
    const extensions = kc.makeApiClient(ApiextensionsV1Api);
    for (let i = 0; ; i++) {
      const current = await extensions.readCustomResourceDefinition({ name: crd.metadata.name });
      if (current.status?.conditions?.some((c) => c.type === 'Established' && c.status === 'True')) break;
      expect(i).toBeLessThan(100);
      await sleep(100);
    }

    const name = `g-${Date.now()}`;
    const gadget = {
      apiVersion: `${GROUP}/v1alpha1`,
      kind: 'Gadget',
      metadata: { name, namespace: 'default' },
      spec: { size: 3 },
    };
    await apply(gadget);
    const custom = kc.makeApiClient(CustomObjectsApi);
    const stored = (await custom.getNamespacedCustomObject({
      group: GROUP,
      version: 'v1alpha1',
      namespace: 'default',
      plural: PLURAL,
      name,
    })) as { spec: { size: number; color: string } };
    expect(stored.spec).toEqual({ size: 3, color: 'blue' });

    const invalid = { ...gadget, metadata: { name: `${name}-bad`, namespace: 'default' }, spec: { size: 0 } };
    await expect(apply(invalid)).rejects.toMatchObject({ code: 422 });

    await custom.deleteNamespacedCustomObject({
      group: GROUP,
      version: 'v1alpha1',
      namespace: 'default',
      plural: PLURAL,
      name,
    });
  });
});
