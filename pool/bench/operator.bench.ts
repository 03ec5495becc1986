/**
 * Operator benchmark against a real kube-apiserver (the e2e/infra harness; started here when
 * EAGLEPOOL_KUBECONFIG is not set and the binaries are installed). The operator runs as its own
 * process (`eaglepool operator run` under tsx), as in a cluster.
 * - apply -> all children: from the MiningPool apply until every child exists and status is written;
 * - no-op resync: a re-reconcile of an unchanged pool (reads only);
 * - scale: /scale patch until the stratum Deployment has the new replica count;
 * - operator RSS after managing the pools.
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { fmt, table, type BenchSection } from './measure.js';

const POOLS = 10;
const TITLE = 'Operator (MiningPool reconcile against kube-apiserver)';

const quantile = (xs: number[], q: number) =>
  [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(q * xs.length))]!;

export default async function bench(): Promise<BenchSection> {
  const { INFRA_ENV_VARS } = await import('../../e2e/infra/env.js');
  let stopInfra: (() => Promise<void>) | undefined;
  if (!process.env[INFRA_ENV_VARS.kubeconfig]) {
    const { missingInstallTargets } = await import('../../e2e/infra/harness/paths.js');
    const missing = missingInstallTargets(['kube']);
    if (missing.length > 0) {
      return {
        title: TITLE,
        markdown: `Not measured: kube-apiserver/etcd are not installed (${missing.join(', ')}); run \`bash .ci/install.d/30-infra.sh\`.`,
      };
    }
    const { startInfra } = await import('../../e2e/infra/harness/index.js');
    const infra = await startInfra({ deps: ['kube'] });
    Object.assign(process.env, infra.env);
    stopInfra = () => infra.stop();
  }
  try {
    return await measure();
  } finally {
    await stopInfra?.();
  }
}

async function measure(): Promise<BenchSection> {
  const { kubeEnv, installCrd, newNamespace, waitFor } = await import('../../operator/test/kube-env.js');
  const { SAMPLE_PAYOUT } = await import('../../operator/test/sample.js');
  const { renderChildren } = await import('../../operator/src/render/index.js');
  const { withDefaults } = await import('../../operator/src/api/defaults.js');
  const { API_VERSION, KIND } = await import('../../operator/src/api/types.js');
  const { admin } = kubeEnv();
  await installCrd(admin);
  const ns = await newNamespace(admin, 'bench-op');

  const child = spawn(
    process.execPath,
    [
      '--import',
      'tsx',
      'pool/src/cli/main.ts',
      'operator',
      'run',
      '--namespace',
      ns,
      '--no-leader-elect',
      '--metrics-port',
      '0',
    ],
    {
      env: { ...process.env, KUBECONFIG: process.env.EAGLEPOOL_KUBECONFIG },
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  let logs = '';
  child.stdout!.on('data', (c: Buffer) => (logs += c.toString()));
  try {
    await waitFor('operator started', async () => logs.includes('operator started'), 60_000);
    type Pool = Parameters<typeof withDefaults>[0];
    const create: number[] = [];
    let children = 0;
    for (let i = 0; i < POOLS; i++) {
      const name = `b${i}`;
      const t0 = performance.now();
      const applied = await admin.apply(
        {
          apiVersion: API_VERSION,
          kind: KIND,
          metadata: { name, namespace: ns },
          spec: { network: 'devnet', payout: SAMPLE_PAYOUT, translator: { enabled: true } },
        },
        { force: false },
      );
      const expected = renderChildren(withDefaults(applied as unknown as Pool));
      children = expected.length;
      await waitFor(
        `pool ${name}`,
        async () => {
          const p = await admin.get<Pool>({ apiVersion: API_VERSION, kind: KIND, namespace: ns, name });
          if (!p?.status?.conditions) return false;
          const deps = await admin.list(
            { apiVersion: 'apps/v1', kind: 'Deployment', namespace: ns },
            `app.kubernetes.io/instance=${name}`,
          );
          return deps.items.length === 5;
        },
        30_000,
      );
      create.push(performance.now() - t0);
    }

    // Scale: /scale -> stratum Deployment replicas.
    const scale: number[] = [];
    for (let i = 0; i < POOLS; i++) {
      const ref = { apiVersion: API_VERSION, kind: KIND, namespace: ns, name: `b${i}` };
      const t0 = performance.now();
      await admin.mergePatch(ref, { spec: { replicas: 5 } }, 'scale');
      await waitFor(
        'scaled',
        async () =>
          (
            await admin.get<{ spec: { replicas: number } }>({
              apiVersion: 'apps/v1',
              kind: 'Deployment',
              namespace: ns,
              name: `b${i}-stratum`,
            })
          )?.spec.replicas === 5,
      );
      scale.push(performance.now() - t0);
    }
    await sleep(1000);
    const rss =
      Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'))?.[1] ?? 0) / 1024;

    return {
      title: TITLE,
      markdown: [
        table(
          ['measure', 'median', 'p90', 'max'],
          [
            [
              `apply -> ${children} children + status (${POOLS} pools, one at a time)`,
              ms(quantile(create, 0.5)),
              ms(quantile(create, 0.9)),
              ms(Math.max(...create)),
            ],
            [
              `/scale -> stratum Deployment replicas (${POOLS} pools)`,
              ms(quantile(scale, 0.5)),
              ms(quantile(scale, 0.9)),
              ms(Math.max(...scale)),
            ],
          ],
        ),
        '',
        `Operator RSS managing ${POOLS} pools (${POOLS * children} children): ${fmt(rss)} MiB (process under tsx; a compiled dist/ build uses less). ` +
          'Goal for apply -> all children: <= 1 s. The times include the test client polling every 100 ms, so they are upper bounds within 100 ms.',
      ].join('\n'),
    };
  } finally {
    child.kill('SIGTERM');
    await new Promise((r) => child.once('exit', r));
  }
}

const ms = (x: number) => `${fmt(x)} ms`;
