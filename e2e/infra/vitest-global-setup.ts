// Global setup of the `integration` vitest project: starts the real dependencies once per run and
// exports their connection details as EAGLEPOOL_* variables (read them with infraEnv() from ./env.ts).
//
// - A dependency whose EAGLEPOOL_* variable is already set (e.g. by `npx tsx e2e/infra/cli.ts up`) is
//   used as it is; only the others are started.
// - EAGLEPOOL_INFRA=redis,kafka limits what is started (default: redis,kafka,kube,helm).
// - A dependency that was never installed fails the run loudly with the command to run
//   (`bash .ci/install.d/30-infra.sh`); with EAGLEPOOL_INFRA_AUTO_INSTALL=1 the installer is run here
//   instead. Integration suites are never skipped, in CI or elsewhere.
import { spawnSync } from 'node:child_process';
import type { TestProject } from 'vitest/node';
import { INFRA_ENV_VARS } from './env.js';
import { INSTALL_HINT, startInfra } from './harness/index.js';
import { DEPENDENCY_ENV, INSTALL_SCRIPT, missingInstallTargets, parseDependencies } from './harness/paths.js';

function log(message: string): void {
  process.stderr.write(`[infra] ${message}\n`);
}

export default async function setup(_project: TestProject): Promise<() => Promise<void>> {
  // kafkajs 2.x prints a partitioner-change warning on every producer; it is noise in test output.
  process.env.KAFKAJS_NO_PARTITIONER_WARNING ??= '1';
  // A dependency whose variable is already set (e.g. by `cli.ts up`) is reused, not started again.
  const wanted = parseDependencies(process.env.EAGLEPOOL_INFRA);
  const reused = wanted.filter((dep) => process.env[INFRA_ENV_VARS[DEPENDENCY_ENV[dep]]]);
  const deps = wanted.filter((dep) => !reused.includes(dep));
  if (reused.length > 0) log(`reusing ${reused.join(', ')} from the environment`);
  if (deps.length === 0) return async () => undefined;

  const missing = missingInstallTargets(deps);
  if (missing.length > 0 && process.env.EAGLEPOOL_INFRA_AUTO_INSTALL === '1') {
    log(`installing ${missing.join(', ')} (EAGLEPOOL_INFRA_AUTO_INSTALL=1)`);
    const result = spawnSync('bash', [INSTALL_SCRIPT, ...missing], { stdio: 'inherit' });
    if (result.status !== 0)
      throw new Error(`infra: ${INSTALL_SCRIPT} ${missing.join(' ')} failed; see its output above`);
  } else if (missing.length > 0) {
    log(
      `not installed: ${missing.join(', ')}; run \`${INSTALL_HINT}\` (or set EAGLEPOOL_INFRA_AUTO_INSTALL=1)`,
    );
  }

  const started = Date.now();
  const infra = await startInfra({ deps });
  Object.assign(process.env, infra.env);
  log(`${deps.join(', ')} up in ${((Date.now() - started) / 1000).toFixed(1)}s (dir ${infra.dir})`);
  return async () => {
    await infra.stop();
  };
}
