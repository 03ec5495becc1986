/* eslint-disable @typescript-eslint/no-explicit-any -- tests walk the rendered CRD dynamically */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import yaml from 'js-yaml';
import { CHART_CRD_PATH, CRD_PATH } from '../../../pool/src/cli/operator.js';
import { miningPoolCrd, renderChartCrdTemplate, renderCrdYaml } from './crd.js';
import { applyDefaults } from './defaults.js';
import { specSchema, type Schema } from './schema.js';
import { userPool } from '../../test/sample.js';

const regen = 'run `npx tsx pool/src/cli/main.ts operator crd --write` and commit the result';

describe('MiningPool CRD', () => {
  it(`committed ${CRD_PATH} is the rendering of schema.ts (${regen})`, () => {
    expect(readFileSync(CRD_PATH, 'utf8')).toBe(renderCrdYaml());
  });

  it(`committed ${CHART_CRD_PATH} is the same CRD behind crds.create, kept on uninstall (${regen})`, () => {
    const text = readFileSync(CHART_CRD_PATH, 'utf8');
    expect(text).toBe(renderChartCrdTemplate());
    const body = yaml.load(
      text
        .split('\n')
        .filter((l) => !l.startsWith('{{'))
        .join('\n'),
    ) as { metadata: { annotations: object } };
    expect(body.metadata.annotations).toEqual({ 'helm.sh/resource-policy': 'keep' });
  });

  it('maps the scale subresource onto stratum replicas with a string selector in status', () => {
    const crd = miningPoolCrd() as any;
    const version = crd.spec.versions[0];
    expect(version.subresources.scale).toEqual({
      specReplicasPath: '.spec.stratum.replicas',
      statusReplicasPath: '.status.stratum.replicas',
      labelSelectorPath: '.status.stratum.selector',
    });
    const status = version.schema.openAPIV3Schema.properties.status;
    expect(status.properties.stratum.properties.selector.type).toBe('string');
    expect(version.additionalPrinterColumns.map((c: { name: string }) => c.name)).toEqual([
      'Ready',
      'Stratum',
      'Height',
      'Synced',
      'Hashrate',
      'Network',
      'Reason',
      'Age',
    ]);
  });

  it('gives every spec field a description and declares the CEL rules', () => {
    const missing: string[] = [];
    const rules: string[] = [];
    const walk = (s: Schema, path: string) => {
      if (!s.description && !s.anyOf && !path.endsWith('[*]')) missing.push(path);
      for (const v of s['x-kubernetes-validations'] ?? []) rules.push(`${path}: ${v.rule}`);
      for (const [k, c] of Object.entries(s.properties ?? {})) walk(c, `${path}.${k}`);
      if (s.items) walk(s.items, `${path}[*]`);
    };
    walk(specSchema, 'spec');
    expect(missing).toEqual([]);
    expect(rules).toEqual([
      'spec.network: self == oldSelf',
      'spec.ckb: !(has(self.external) && has(self.managed))',
      'spec.ckb.managed.storage: self == oldSelf',
      'spec.kafka: !(has(self.external) && has(self.managed))',
      'spec.kafka.managed.storage: self == oldSelf',
      'spec.redis: !(has(self.external) && has(self.managed))',
      'spec.redis.managed.storage: self == oldSelf',
      'spec.stratum: !has(self.autoscaling) || !self.autoscaling.enabled || (has(self.resources) && has(self.resources.requests) && has(self.resources.requests.cpu))',
      'spec.stratum.autoscaling: self.minReplicas <= self.maxReplicas',
    ]);
  });

  it('defaults like the API server: nested defaults under defaulted objects, user values kept', () => {
    const spec = applyDefaults(specSchema, {
      ...userPool().spec,
      stratum: { replicas: 0 },
      kafka: { external: { brokersSecretRef: { name: 'k' } } },
    }) as any;
    expect(spec.stratum).toMatchObject({
      replicas: 0,
      port: 34254,
      service: { type: 'LoadBalancer' },
      autoscaling: { enabled: false, minReplicas: 2 },
    });
    expect(spec.ckb.managed.storage.size).toBe('300Gi');
    expect(spec.kafka).toEqual({ external: { brokersSecretRef: { name: 'k', key: 'brokers' } } });
    expect(spec.payout.hashType).toBe('type');
    expect(spec.pvcRetentionPolicy).toBe('Retain');
  });
});

describe('withDefaults', () => {
  it('treats a backing service given as {} as managed with defaults', async () => {
    const { withDefaults } = await import('./defaults.js');
    const pool = withDefaults(userPool('p', 'ns', { redis: {} }));
    expect(pool.spec.redis).toEqual({ managed: { image: 'redis:7.0.15-alpine', storage: { size: '5Gi' } } });
  });
});
