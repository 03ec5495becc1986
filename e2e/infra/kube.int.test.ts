import {
  ApiextensionsV1Api,
  CustomObjectsApi,
  KubeConfig,
  KubernetesObjectApi,
  PatchStrategy,
  VersionApi,
  loadYaml,
} from '@kubernetes/client-node';
import type { KubernetesObject } from '@kubernetes/client-node';
import https from 'node:https';
import { setTimeout as sleep } from 'node:timers/promises';
import { beforeAll, describe, expect, it } from 'vitest';
import { kubeconfigPath } from './env.js';
import { readVersions } from './harness/paths.js';

const GROUP = 'infra-smoke.eaglepool.io';

/** A CRD as plain JSON (as an operator renders it), with a default and a CEL rule. */
function gadgetCrd(plural: string): KubernetesObject & Record<string, unknown> {
  return {
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: { name: `${plural}.${GROUP}` },
    spec: {
      group: GROUP,
      scope: 'Namespaced',
      names: { plural, singular: plural.replace(/s$/, ''), kind: `K${plural}` },
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
                  'x-kubernetes-validations': [
                    { rule: 'self.size <= 10', message: 'size must be at most 10' },
                  ],
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
}

describe('infra: kube-apiserver', () => {
  const kc = new KubeConfig();
  let objects: KubernetesObjectApi;
  const apply = <T extends KubernetesObject>(obj: T): Promise<T> =>
    objects.patch(obj, undefined, undefined, 'eaglepool-infra-smoke', true, PatchStrategy.ServerSideApply);
  /** The stored CRD's spec schema as raw JSON (the typed client would rename the fields again). */
  const storedSpecSchema = async (name: string): Promise<Record<string, unknown>> => {
    const url = `${kc.getCurrentCluster()!.server}/apis/apiextensions.k8s.io/v1/customresourcedefinitions/${name}`;
    const options: https.RequestOptions = {};
    await kc.applyToHTTPSOptions(options);
    const body = await new Promise<string>((resolve, reject) => {
      https
        .get(url, options, (res) => {
          let data = '';
          res.setEncoding('utf8');
          res.on('data', (chunk: string) => (data += chunk));
          res.on('end', () =>
            res.statusCode === 200 ? resolve(data) : reject(new Error(`${res.statusCode} ${data}`)),
          );
        })
        .on('error', reject);
    });
    const crd = JSON.parse(body) as {
      spec: {
        versions: { schema: { openAPIV3Schema: { properties: { spec: Record<string, unknown> } } } }[];
      };
    };
    return crd.spec.versions[0]!.schema.openAPIV3Schema.properties.spec;
  };

  beforeAll(() => {
    kc.loadFromFile(kubeconfigPath());
    objects = KubernetesObjectApi.makeApiClient(kc);
  });

  it('is the pinned Kubernetes version', async () => {
    const version = await kc.makeApiClient(VersionApi).getCode();
    expect(version.gitVersion).toBe(`v${readVersions().kubernetes}`);
  });

  // Pitfall of @kubernetes/client-node 1.4: KubernetesObjectApi serializes known kinds through the
  // generated models, whose property names differ from the JSON ones (`_default`,
  // `xKubernetesValidations`), so those fields of a plain-JSON CRD are silently dropped.
  it('documents that plain-JSON CRDs lose defaults and CEL rules through KubernetesObjectApi', async () => {
    const crd = gadgetCrd(`plains${Date.now()}`);
    await apply(crd);
    const spec = await storedSpecSchema(crd.metadata!.name!);
    expect(spec['x-kubernetes-validations']).toBeUndefined();
    expect((spec.properties as Record<string, Record<string, unknown>>).color).toEqual({ type: 'string' });
  });

  it('applies a CRD (converted with loadYaml) and custom objects, with defaults and CEL validation', async () => {
    const plural = `gadgets${Date.now()}`;
    // loadYaml turns JSON (valid YAML) into the generated model, which then serializes faithfully.
    const crd = loadYaml<KubernetesObject>(JSON.stringify(gadgetCrd(plural)));
    await apply(crd);
    const name = crd.metadata!.name!;
    const spec = await storedSpecSchema(name);
    expect(spec['x-kubernetes-validations']).toEqual([
      { rule: 'self.size <= 10', message: 'size must be at most 10' },
    ]);

    const extensions = kc.makeApiClient(ApiextensionsV1Api);
    for (let i = 0; ; i++) {
      const current = await extensions.readCustomResourceDefinition({ name });
      if (current.status?.conditions?.some((c) => c.type === 'Established' && c.status === 'True')) break;
      expect(i).toBeLessThan(100);
      await sleep(100);
    }

    const gadget = (objName: string, size: number): KubernetesObject & { spec: { size: number } } => ({
      apiVersion: `${GROUP}/v1alpha1`,
      kind: `K${plural}`,
      metadata: { name: objName, namespace: 'default' },
      spec: { size },
    });
    await apply(gadget('one', 3));
    const custom = kc.makeApiClient(CustomObjectsApi);
    const ref = { group: GROUP, version: 'v1alpha1', namespace: 'default', plural };
    const stored = (await custom.getNamespacedCustomObject({ ...ref, name: 'one' })) as {
      spec: { size: number; color: string };
    };
    expect(stored.spec).toEqual({ size: 3, color: 'blue' });

    await expect(apply(gadget('too-small', 0))).rejects.toMatchObject({ code: 422 });
    await expect(apply(gadget('too-big', 11))).rejects.toThrow(/size must be at most 10/);

    await custom.deleteNamespacedCustomObject({ ...ref, name: 'one' });
  });
});
