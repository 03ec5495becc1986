// Starts the real dependencies of the integration tests in a fresh temp dir and stops them again.
import { execFile, execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { CKB_LOCK_ARGS_ENV, CKB_SUBSCRIPTION_ENV, CLUSTER_ENV_VARS, INFRA_ENV_VARS } from '../env.js';
import { startCkb } from './ckb.js';
import { startCluster } from './cluster.js';
import { startKafka } from './kafka.js';
import { startKube } from './kube.js';
import { DEPENDENCIES, cacheRoot, infraBinaries, missingInstallTargets } from './paths.js';
import type { Dependency, InfraBinaries } from './paths.js';
import { InfraError, ServiceGroup, spawnService, stopProcessGroup } from './process.js';
import type { ServiceProcess } from './process.js';
import { startRedis } from './redis.js';

export { InfraError } from './process.js';
export type { Dependency } from './paths.js';

export interface RunningInfra {
  deps: Dependency[];
  /** Temp dir of this run: per-dependency data, logs (<dep>/<dep>.log), PKI and kubeconfig. */
  dir: string;
  /** EAGLEPOOL_* variables for the started dependencies (see e2e/infra/env.ts). */
  env: Record<string, string>;
  processes: readonly ServiceProcess[];
  /** A command to run after the processes are stopped (the cluster tier's cluster-node.sh down). */
  teardown?: string[];
  stop(): Promise<void>;
}

export interface StartOptions {
  deps?: readonly Dependency[];
  binaries?: InfraBinaries;
  /**
   * Kill the servers if this Node process exits without calling stop() (default true). The CLI's
   * `up` passes false: there the servers outlive it until `down`.
   */
  killOnExit?: boolean;
}

export const INSTALL_HINT = 'bash .ci/install.d/30-infra.sh';

async function checkHelm(helm: string): Promise<void> {
  try {
    await promisify(execFile)(helm, ['version', '--short'], { timeout: 10_000 });
  } catch (err) {
    throw new InfraError('helm', `${helm} version failed: ${(err as Error).message}`);
  }
}

/**
 * A detached shell that waits for this Node process to disappear, then SIGKILLs the servers' process
 * groups and removes the run dir. Stopped first by a normal stop().
 */
async function startReaper(group: ServiceGroup, dir: string, teardown?: string[]): Promise<ServiceProcess> {
  const pgids = group.processes.filter((p) => p.exitStatus() === undefined).map((p) => p.pid);
  const script =
    `while kill -0 ${process.pid} 2>/dev/null; do sleep 1; done; ` +
    `for g in ${pgids.join(' ')}; do kill -KILL -$g 2>/dev/null; done; ` +
    (teardown ? `${teardown.map((a) => `'${a}'`).join(' ')}; ` : '') +
    `rm -rf '${dir}'`;
  return spawnService('reaper', 'bash', ['-c', script], '/dev/null');
}

/** Synchronous (exit handlers cannot await); its failure is reported, not thrown. */
export function runTeardown(command: readonly string[]): void {
  try {
    execFileSync(command[0]!, command.slice(1), { stdio: ['ignore', 'ignore', 'pipe'], timeout: 120_000 });
  } catch (err) {
    process.stderr.write(`infra: teardown ${command.join(' ')} failed: ${(err as Error).message}\n`);
  }
}

/**
 * Starts the requested dependencies (default: all) in parallel. On any failure everything already
 * started is stopped and the InfraError of the first failing dependency is thrown; the run's temp dir
 * is kept then, so its logs can be read in full.
 */
export async function startInfra(opts: StartOptions = {}): Promise<RunningInfra> {
  const deps = [...(opts.deps ?? DEPENDENCIES)];
  const bins = opts.binaries ?? infraBinaries();
  const missing = missingInstallTargets(deps, bins);
  if (missing.length > 0) {
    throw new InfraError(
      missing.join(', '),
      `not installed (no cached build under ${cacheRoot()}). Run \`${INSTALL_HINT}\` ` +
        `(or \`bash e2e/infra/install.sh ${missing.join(' ')}\`) first; the first build of kube-apiserver ` +
        'takes a while, later runs take seconds.',
    );
  }

  const dir = mkdtempSync(join(tmpdir(), 'eaglepool-infra-'));
  const sub = (name: string): string => {
    const path = join(dir, name);
    mkdirSync(path);
    return path;
  };
  // Ports come from freePort() a moment before the server binds them; if something else took one in
  // between (other test runs, outgoing connections), start again on fresh ports in a fresh dir.
  const withPortRetry = async <T>(name: string, start: (dir: string) => Promise<T>): Promise<T> => {
    for (let attempt = 1; ; attempt++) {
      try {
        return await start(sub(attempt === 1 ? name : `${name}-${attempt}`));
      } catch (err) {
        if (attempt >= 3 || !(err instanceof InfraError) || !/address already in use/i.test(err.message))
          throw err;
      }
    }
  };
  const group = new ServiceGroup();
  const env: Record<string, string> = {};
  const starts: Promise<void>[] = [];
  if (deps.includes('redis')) {
    starts.push(
      withPortRetry('redis', (d) => startRedis(group, d, bins.redisServer)).then(
        (r) => void (env[INFRA_ENV_VARS.redisUrl] = r.url),
      ),
    );
  }
  if (deps.includes('kafka')) {
    starts.push(
      withPortRetry('kafka', (d) => startKafka(group, d, bins.java, bins.kafkaLibDir)).then(
        (k) => void (env[INFRA_ENV_VARS.kafkaBrokers] = k.brokers.join(',')),
      ),
    );
  }
  if (deps.includes('kube')) {
    starts.push(
      withPortRetry('kube', (d) => startKube(group, d, bins.etcd, bins.kubeApiserver)).then(
        (k) => void (env[INFRA_ENV_VARS.kubeconfig] = k.kubeconfig),
      ),
    );
  }
  if (deps.includes('ckb')) {
    starts.push(
      withPortRetry('ckb', (d) => startCkb(group, d, bins.ckb)).then((c) => {
        env[INFRA_ENV_VARS.ckbRpc] = c.rpcUrl;
        env[CKB_SUBSCRIPTION_ENV] = c.subscriptionUrl;
        env[CKB_LOCK_ARGS_ENV] = c.lockArgs;
      }),
    );
  }
  let teardown: string[] | undefined;
  if (deps.includes('cluster')) {
    starts.push(
      startCluster(group, sub('cluster'), bins).then((c) => {
        teardown = c.teardown;
        const images = join(dir, 'cluster', 'images.json');
        writeFileSync(images, JSON.stringify(c.images, null, 2) + '\n');
        env[INFRA_ENV_VARS.clusterKubeconfig] = c.kube.kubeconfig;
        env[CLUSTER_ENV_VARS.kubectl] = c.kubectl;
        env[CLUSTER_ENV_VARS.nodeIp] = c.nodeIp;
        env[CLUSTER_ENV_VARS.images] = images;
        env[INFRA_ENV_VARS.helm] = bins.helm;
      }),
    );
  }
  if (deps.includes('helm')) {
    starts.push(checkHelm(bins.helm).then(() => void (env[INFRA_ENV_VARS.helm] = bins.helm)));
  }

  const results = await Promise.allSettled(starts);
  const failure = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failure) {
    await group.stopAll(5_000);
    if (teardown) runTeardown(teardown);
    const reason = failure.reason as unknown;
    const err = reason instanceof Error ? reason : new Error(String(reason));
    err.message += `\n(all started dependencies were stopped; logs kept in ${dir})`;
    throw err;
  }

  const killOnExit = opts.killOnExit ?? true;
  const onExit = (): void => {
    group.killAllNow();
    if (teardown) runTeardown(teardown);
    rmSync(dir, { recursive: true, force: true });
  };
  // 'exit' covers normal exits and signals that vitest turns into an exit; the reaper covers a
  // SIGKILLed owner, which runs no code at all.
  const reaper = killOnExit ? await startReaper(group, dir, teardown) : undefined;
  if (killOnExit) process.once('exit', onExit);
  let stopped = false;
  return {
    deps,
    dir,
    env,
    processes: group.processes.filter((p) => p.exitStatus() === undefined),
    teardown,
    async stop() {
      if (stopped) return;
      stopped = true;
      process.removeListener('exit', onExit);
      if (reaper) await stopProcessGroup(reaper.pid, 1000);
      await group.stopAll();
      if (teardown) runTeardown(teardown);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
