/**
 * Renders the MiningPool CustomResourceDefinition from the schema in `schema.ts`.
 * `crds/miningpools.mining.eaglepool.dev.yaml` and the chart's CRD template are this
 * rendering; `crd.test.ts` fails when either drifts (`npm run eaglepool -- operator crd`
 * rewrites them).
 */
import yaml from 'js-yaml';
import { GROUP, KIND, PLURAL, VERSION } from './types.js';
import { specSchema, statusSchema } from './schema.js';

export const CRD_NAME = `${PLURAL}.${GROUP}`;

export function miningPoolCrd(): Record<string, unknown> {
  return {
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: { name: CRD_NAME },
    spec: {
      group: GROUP,
      names: {
        kind: KIND,
        listKind: `${KIND}List`,
        plural: PLURAL,
        singular: 'miningpool',
        shortNames: ['mp'],
        categories: ['eaglepool'],
      },
      scope: 'Namespaced',
      versions: [
        {
          name: VERSION,
          served: true,
          storage: true,
          subresources: {
            status: {},
            scale: {
              specReplicasPath: '.spec.stratum.replicas',
              statusReplicasPath: '.status.stratum.replicas',
              labelSelectorPath: '.status.stratum.selector',
            },
          },
          additionalPrinterColumns: [
            { name: 'Ready', type: 'string', jsonPath: '.status.conditions[?(@.type=="Ready")].status' },
            {
              name: 'Stratum',
              type: 'integer',
              jsonPath: '.status.stratum.readyReplicas',
              description: 'Ready stratum pods',
            },
            { name: 'Height', type: 'integer', jsonPath: '.status.chain.tipNumber' },
            {
              name: 'Synced',
              type: 'string',
              jsonPath: '.status.chain.syncProgress',
              description: 'Node tip against the best block its peers announced',
            },
            { name: 'Hashrate', type: 'string', jsonPath: '.status.hashrate' },
            { name: 'Network', type: 'string', jsonPath: '.spec.network', priority: 1 },
            {
              name: 'Reason',
              type: 'string',
              jsonPath: '.status.conditions[?(@.type=="Ready")].reason',
              priority: 1,
            },
            { name: 'Age', type: 'date', jsonPath: '.metadata.creationTimestamp' },
          ],
          schema: {
            openAPIV3Schema: {
              type: 'object',
              description:
                'MiningPool runs a Stratum V2 mining pool for Nervos CKB: node, Kafka, Redis and pool services.',
              properties: {
                apiVersion: { type: 'string' },
                kind: { type: 'string' },
                metadata: { type: 'object' },
                spec: specSchema,
                status: statusSchema,
              },
              required: ['spec'],
            },
          },
        },
      ],
    },
  };
}

const HEADER =
  '# Generated from operator/src/api/schema.ts by `eaglepool operator crd`; do not edit by hand.\n';

/** The committed crds/ file. */
export function renderCrdYaml(): string {
  return HEADER + yaml.dump(miningPoolCrd(), { lineWidth: -1, noRefs: true });
}

/** The chart's templates/crds.yaml: the same CRD behind `crds.create`, kept on uninstall. */
export function renderChartCrdTemplate(): string {
  const crd = miningPoolCrd() as { metadata: Record<string, unknown> };
  const withKeep = {
    ...crd,
    metadata: { ...crd.metadata, annotations: { 'helm.sh/resource-policy': 'keep' } },
  };
  return `{{- if .Values.crds.create }}\n${HEADER}${yaml.dump(withKeep, { lineWidth: -1, noRefs: true })}{{- end }}\n`;
}
