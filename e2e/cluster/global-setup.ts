// Global setup of the `cluster` vitest project: brings the single-node cluster up once per run
// (e2e/infra/harness/cluster.ts) and exports EAGLEPOOL_CLUSTER_KUBECONFIG, EAGLEPOOL_KUBECTL,
// EAGLEPOOL_HELM, EAGLEPOOL_CLUSTER_NODE_IP and EAGLEPOOL_CLUSTER_IMAGES. A cluster started by
// `npx tsx e2e/infra/cli.ts up cluster` (its variables exported) is reused instead.
import type { TestProject } from 'vitest/node';
import { CLUSTER_ENV_VARS, INFRA_ENV_VARS } from '../infra/env.js';
import { startInfra } from '../infra/harness/index.js';
import { missingInstallTargets } from '../infra/harness/paths.js';

function log(message: string): void {
  process.stderr.write(`[cluster] ${message}\n`);
}

export default async function setup(_project: TestProject): Promise<() => Promise<void>> {
  if (process.env[INFRA_ENV_VARS.clusterKubeconfig] && process.env[CLUSTER_ENV_VARS.images]) {
    log(`reusing the cluster of ${process.env[INFRA_ENV_VARS.clusterKubeconfig]}`);
    return async () => undefined;
  }
  if (process.getuid?.() !== 0) {
    throw new Error(
      'the cluster tier needs root (network namespace, cgroups, mounts); run the suite as root',
    );
  }
  const missing = missingInstallTargets(['cluster']);
  if (missing.length > 0) {
    throw new Error(`cluster tier not installed; run \`bash e2e/cluster/install.sh\``);
  }
  const started = Date.now();
  const infra = await startInfra({ deps: ['cluster'] });
  Object.assign(process.env, infra.env);
  log(`up in ${((Date.now() - started) / 1000).toFixed(1)}s (dir ${infra.dir})`);
  return async () => {
    const stopping = Date.now();
    await infra.stop();
    log(`down in ${((Date.now() - stopping) / 1000).toFixed(1)}s`);
  };
}
