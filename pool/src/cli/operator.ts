/**
 * `eaglepool operator run|crd|render`: the MiningPool operator, its CRD, and an offline
 * renderer (MiningPool YAML -> the children the operator would apply).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import yaml from 'js-yaml';
import type { Command } from './command.js';
import { UsageError } from './command.js';

export const CRD_PATH = 'crds/miningpools.mining.eaglepool.dev.yaml';
export const CHART_CRD_PATH = 'charts/eaglepool/templates/crds.yaml';

export const run: Command = {
  summary: 'Run the MiningPool operator (leader election, informers, reconcile loop)',
  usage: [
    'Usage: eaglepool operator run [options]',
    '',
    'Reconciles MiningPool objects of the cluster in the kubeconfig (in-cluster service account when',
    'running in a pod). Only the Lease holder reconciles; the others stand by.',
    '',
    'Options:',
    '  --namespace NS        watch only this namespace (default: all; env EAGLEPOOL_WATCH_NAMESPACE)',
    '  --lease-namespace NS  namespace of the leader Lease (default: env POD_NAMESPACE or "default")',
    '  --metrics-port N      port of /metrics, /healthz, /readyz (default 8080; 0 disables)',
    '  --no-leader-elect     reconcile without taking the Lease (single replica, tests)',
    '  --resync SECONDS      periodic full resync (default 300, at least 10)',
  ].join('\n'),
  options: {
    namespace: { type: 'string' },
    'lease-namespace': { type: 'string' },
    'metrics-port': { type: 'string' },
    'no-leader-elect': { type: 'boolean' },
    resync: { type: 'string' },
  },
  async run({ values }) {
    const int = (v: unknown, name: string, dflt: number, min: number): number => {
      if (v === undefined) return dflt;
      const n = Number(v);
      if (!Number.isInteger(n) || n < min) throw new UsageError(`--${name} must be an integer >= ${min}`);
      return n;
    };
    const options = {
      namespace: (values.namespace as string | undefined) ?? process.env.EAGLEPOOL_WATCH_NAMESPACE,
      leaseNamespace:
        (values['lease-namespace'] as string | undefined) ?? process.env.POD_NAMESPACE ?? 'default',
      metricsPort: int(values['metrics-port'], 'metrics-port', 8080, 0),
      leaderElection: !values['no-leader-elect'],
      resyncSeconds: int(values.resync, 'resync', 300, 10),
    };
    const { startOperator } = await import('../../../operator/src/main.js');
    const op = await startOperator(options);
    await new Promise<void>((done) => {
      const stop = () => void op.stop().then(done);
      process.once('SIGTERM', stop);
      process.once('SIGINT', stop);
    });
    return 0;
  },
};

export const crd: Command = {
  summary: 'Print the MiningPool CRD (or --write it to crds/ and the Helm chart)',
  usage: [
    'Usage: eaglepool operator crd [--write]',
    '',
    `  --write   rewrite ${CRD_PATH} and ${CHART_CRD_PATH} (run from the repository root)`,
  ].join('\n'),
  options: { write: { type: 'boolean' } },
  async run({ values }) {
    const { renderCrdYaml, renderChartCrdTemplate } = await import('../../../operator/src/api/crd.js');
    if (!values.write) {
      process.stdout.write(renderCrdYaml());
      return 0;
    }
    writeFileSync(resolve(CRD_PATH), renderCrdYaml());
    writeFileSync(resolve(CHART_CRD_PATH), renderChartCrdTemplate());
    console.error(`wrote ${CRD_PATH} and ${CHART_CRD_PATH}`);
    return 0;
  },
};

export const render: Command = {
  summary: 'Render the children the operator would apply for a MiningPool YAML file',
  usage:
    'Usage: eaglepool operator render FILE\n\nPrints the defaulted children as a YAML stream (no cluster needed).',
  options: {},
  async run({ positionals }) {
    const [file] = positionals;
    if (!file) throw new UsageError('missing FILE');
    const { withDefaults } = await import('../../../operator/src/api/defaults.js');
    const { renderChildren } = await import('../../../operator/src/render/index.js');
    const pool = yaml.load(readFileSync(file, 'utf8')) as Parameters<typeof withDefaults>[0];
    if (!pool?.metadata?.name) throw new UsageError(`${file}: not a MiningPool (metadata.name missing)`);
    const metadata = {
      ...pool.metadata,
      namespace: pool.metadata.namespace ?? 'default',
      uid: pool.metadata.uid ?? 'offline-render',
    };
    const full = withDefaults({ ...pool, metadata });
    process.stdout.write(
      renderChildren(full)
        .map((o) => yaml.dump(o, { lineWidth: -1 }))
        .join('---\n'),
    );
    return 0;
  },
};
