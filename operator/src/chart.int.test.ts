/**
 * The Helm chart with the harness's helm binary: lint and template clean, values schema
 * enforced, and its RBAC is enough (and used as is) for the operator to reconcile a pool while
 * impersonating the chart's ServiceAccount against the real API server.
 */
/* eslint-disable @typescript-eslint/no-explicit-any -- rendered manifests */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import yaml from 'js-yaml';
import { API_VERSION, KIND, type MiningPool } from './api/types.js';
import { CRD_NAME } from './api/crd.js';
import { KubeRest, type KubeObject } from './kube/rest.js';
import { SAMPLE_PAYOUT } from '../test/sample.js';
import {
  impersonating,
  infraVar,
  installCrd,
  kubeEnv,
  newNamespace,
  startManager,
  waitFor,
  type KubeEnv,
  type TestManager,
} from '../test/kube-env.js';

const exec = promisify(execFile);
const CHART = 'charts/eaglepool';
let helm: string;
let env: KubeEnv;
const stops: TestManager[] = [];

const template = async (...args: string[]) => {
  const { stdout } = await exec(helm, ['template', 'ep', CHART, '--namespace', 'ep-system', ...args]);
  return (yaml.loadAll(stdout) as KubeObject[]).filter(Boolean);
};

beforeAll(() => {
  helm = infraVar('helm');
  env = kubeEnv();
});
afterAll(async () => {
  await Promise.all(stops.map((s) => s.stop()));
});

describe('charts/eaglepool', () => {
  it('passes helm lint --strict', async () => {
    const { stdout } = await exec(helm, ['lint', '--strict', CHART]);
    expect(stdout).toContain('1 chart(s) linted, 0 chart(s) failed');
    expect(stdout).not.toMatch(/\[(ERROR|WARNING)\]/);
  });

  it('renders the operator, RBAC, the CRD kept on uninstall, and an optional sample pool', async () => {
    const objs = await template('--set', 'samplePool.create=true');
    const kinds = objs.map((o) => `${o.kind}/${o.metadata.name}`).sort();
    expect(kinds).toEqual(
      [
        'ClusterRole/ep-eaglepool',
        'ClusterRoleBinding/ep-eaglepool',
        `CustomResourceDefinition/${CRD_NAME}`,
        'Deployment/ep-eaglepool',
        'MiningPool/devnet',
        'Role/ep-eaglepool-leader-election',
        'RoleBinding/ep-eaglepool-leader-election',
        'Service/ep-eaglepool-metrics',
        'ServiceAccount/ep-eaglepool',
      ].sort(),
    );
    const crd = objs.find((o) => o.kind === 'CustomResourceDefinition')!;
    expect(crd.metadata.annotations).toEqual({ 'helm.sh/resource-policy': 'keep' });
    const dep = objs.find((o) => o.kind === 'Deployment') as any;
    const c = dep.spec.template.spec.containers[0];
    expect(c.args.slice(0, 2)).toEqual(['operator', 'run']);
    expect(c.image).toBe('ghcr.io/eaglepool/eaglepool:0.1.0');
    expect(c.securityContext.readOnlyRootFilesystem).toBe(true);
    // The sample pool is valid for the CRD the chart installs (dry run on the real API server).
    await installCrd(env.admin);
    const sample = objs.find((o) => o.kind === 'MiningPool')!;
    const sampleNs = await newNamespace(env.admin, 'ep-sample');
    await env.admin.apply(
      { ...sample, metadata: { ...sample.metadata, namespace: sampleNs } },
      { force: false, dryRun: true },
    );
    const noCrd = await template('--set', 'crds.create=false');
    expect(noCrd.some((o) => o.kind === 'CustomResourceDefinition')).toBe(false);
  });

  it('rejects values that break values.schema.json', async () => {
    await expect(template('--set', 'image.pullPolicy=Sometimes')).rejects.toThrow(/pullPolicy/);
    await expect(template('--set', 'replicaCuont=2')).rejects.toThrow(/replicaCuont|additional/i);
  });

  it("its RBAC lets the operator reconcile a pool as the chart's ServiceAccount", async () => {
    const release = await newNamespace(env.admin, 'ep-system');
    const objs = await template('--namespace', release);
    const fixNs = (o: KubeObject): KubeObject =>
      o.metadata.namespace ? { ...o, metadata: { ...o.metadata, namespace: release } } : o;
    const rbacKinds = ['ServiceAccount', 'ClusterRole', 'ClusterRoleBinding', 'Role', 'RoleBinding'];
    // Unique cluster-scoped names so parallel runs do not collide.
    const suffix = release.split('-').pop()!;
    const rename = (o: KubeObject): KubeObject => {
      if (o.kind === 'ClusterRole')
        return { ...o, metadata: { ...o.metadata, name: `${o.metadata.name}-${suffix}` } };
      if (o.kind === 'ClusterRoleBinding')
        return {
          ...o,
          metadata: { ...o.metadata, name: `${o.metadata.name}-${suffix}` },
          roleRef: { ...(o.roleRef as object), name: `ep-eaglepool-${suffix}` },
        };
      return o;
    };
    for (const o of objs
      .filter((x) => rbacKinds.includes(x.kind))
      .map(fixNs)
      .map(rename)) {
      await env.admin.request(
        'POST',
        o.kind.startsWith('Cluster')
          ? `/apis/rbac.authorization.k8s.io/v1/${o.kind.toLowerCase()}s`
          : o.kind === 'ServiceAccount'
            ? `/api/v1/namespaces/${release}/serviceaccounts`
            : `/apis/rbac.authorization.k8s.io/v1/namespaces/${release}/${o.kind.toLowerCase()}s`,
        { body: o },
      );
    }
    await installCrd(env.admin);
    const poolNs = await newNamespace(env.admin, 'ep-pools');
    const kc = impersonating(env.kc, `system:serviceaccount:${release}:ep-eaglepool`);
    const op = await startManager(kc, {
      namespace: poolNs,
      leaderElection: true,
      leaseNamespace: release,
      identity: 'rbac-test',
    });
    stops.push(op);
    await waitFor('leader', async () => op.manager.isLeader);
    await env.admin.apply(
      {
        apiVersion: API_VERSION,
        kind: KIND,
        metadata: { name: 'rbac', namespace: poolNs },
        spec: { network: 'testnet', payout: SAMPLE_PAYOUT, translator: { enabled: true } },
      } as any,
      { force: false },
    );
    const pool = await waitFor('status', async () => {
      const p = await env.admin.get<MiningPool>({
        apiVersion: API_VERSION,
        kind: KIND,
        namespace: poolNs,
        name: 'rbac',
      });
      return p?.status?.conditions ? p : undefined;
    });
    expect(pool.status!.conditions!.find((c) => c.type === 'Degraded')).toMatchObject({ status: 'False' });
    expect(
      await env.admin.get({
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        namespace: poolNs,
        name: 'rbac-translator',
      }),
    ).toBeDefined();
    const errors = (await op.manager.metrics.errors.get()).values.reduce((n, v) => n + v.value, 0);
    expect(errors, op.logs.join('\n')).toBe(0);
    // Least privilege: the ServiceAccount cannot read Secrets it did not create, cluster-wide or here.
    await expect(
      new KubeRest(kc).list({ apiVersion: 'v1', kind: 'Secret', namespace: poolNs }),
    ).rejects.toMatchObject({ status: 403 });
  });
});
