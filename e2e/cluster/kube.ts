// kubectl, helm and waiting, for the e2e/cluster suites (the cluster of e2e/cluster/global-setup.ts).
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import { CLUSTER_ENV_VARS, INFRA_ENV_VARS } from '../infra/env.js';
import type { ClusterImages } from '../infra/harness/cluster.js';

const exec = promisify(execFile);

function env(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set: run the suite with \`npx vitest run --project cluster\``);
  return value;
}

export const cluster = {
  kubeconfig: (): string => env(INFRA_ENV_VARS.clusterKubeconfig),
  nodeIp: (): string => env(CLUSTER_ENV_VARS.nodeIp),
  images: (): ClusterImages =>
    JSON.parse(readFileSync(env(CLUSTER_ENV_VARS.images), 'utf8')) as ClusterImages,
};

async function run(command: string, args: string[], input?: string, timeoutMs = 120_000): Promise<string> {
  const child = exec(command, args, { timeout: timeoutMs, maxBuffer: 64 * 1024 * 1024 });
  if (input !== undefined) child.child.stdin?.end(input);
  try {
    return (await child).stdout;
  } catch (err) {
    const e = err as { stderr?: string; message: string };
    throw new Error(
      `${command.split('/').pop()} ${args.join(' ')} failed: ${(e.stderr || e.message).trim()}`,
    );
  }
}

/** kubectl against the cluster; `input` goes to stdin (for `apply -f -`). */
export function kubectl(args: string[], input?: string, timeoutMs?: number): Promise<string> {
  return run(
    env(CLUSTER_ENV_VARS.kubectl),
    ['--kubeconfig', cluster.kubeconfig(), ...args],
    input,
    timeoutMs,
  );
}

export async function kubectlJson<T = Record<string, unknown>>(args: string[]): Promise<T> {
  return JSON.parse(await kubectl([...args, '-o', 'json'])) as T;
}

export function helm(args: string[], timeoutMs = 900_000): Promise<string> {
  return run(env(INFRA_ENV_VARS.helm), ['--kubeconfig', cluster.kubeconfig(), ...args], undefined, timeoutMs);
}

/** GET through the apiserver's service proxy (the host does not route ClusterIPs). */
export async function serviceGet<T>(ns: string, service: string, port: string, path: string): Promise<T> {
  const raw = await kubectl([
    'get',
    '--raw',
    `/api/v1/namespaces/${ns}/services/${service}:${port}/proxy${path}`,
  ]);
  return JSON.parse(raw) as T;
}

/**
 * Polls `probe` until it returns a value other than undefined/false; fails after `timeoutMs` naming
 * what did not happen and the last probe error or value.
 */
export async function waitFor<T>(
  what: string,
  probe: () => Promise<T | undefined | false>,
  timeoutMs: number,
  intervalMs = 2000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last = 'no answer yet';
  for (;;) {
    try {
      const value = await probe();
      if (value !== undefined && value !== false) return value;
      last = `probe answered ${JSON.stringify(value)}`;
    } catch (err) {
      last = err instanceof Error ? err.message : String(err);
    }
    if (Date.now() > deadline)
      throw new Error(`${what}: did not happen within ${timeoutMs / 1000}s (last: ${last})`);
    await sleep(intervalMs);
  }
}

/** What a failing test prints: the pool's objects, events and the tails of its pods' logs. */
export async function diagnostics(namespaces: string[]): Promise<string> {
  const parts: string[] = [];
  for (const ns of namespaces) {
    for (const args of [
      ['get', 'miningpools,statefulsets,deployments,pods,pvc,svc', '-o', 'wide'],
      ['get', 'events', '--sort-by=.lastTimestamp'],
      ['logs', '--all-containers', '--prefix', '--tail=30', '-l', 'app.kubernetes.io/name=eaglepool'],
    ]) {
      parts.push(`$ kubectl -n ${ns} ${args.join(' ')}`);
      parts.push(await kubectl(['-n', ns, ...args]).catch((err: Error) => err.message));
    }
  }
  return parts.join('\n');
}
