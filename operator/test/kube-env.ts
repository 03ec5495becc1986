/** Helpers for operator integration tests against the harness's real kube-apiserver. */
import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { KubeConfig } from '@kubernetes/client-node';
import { INFRA_ENV_VARS, InfraEnvError } from '../../e2e/infra/env.js';
import { miningPoolCrd, CRD_NAME } from '../src/api/crd.js';
import { Manager, type ManagerOptions } from '../src/controller/manager.js';
import { KubeRest, type KubeObject } from '../src/kube/rest.js';

export interface KubeEnv {
  kc: KubeConfig;
  /** Admin client playing the user (field manager `test-user`). */
  admin: KubeRest;
}

/**
 * One harness variable. The operator suites need only kube + helm, so unlike infraEnv() this
 * does not require Redis and Kafka: `EAGLEPOOL_INFRA=kube,helm npx vitest run --project integration operator`.
 */
export function infraVar(key: 'kubeconfig' | 'helm'): string {
  const name = INFRA_ENV_VARS[key];
  const value = process.env[name];
  if (!value)
    throw new InfraEnvError(
      `${name} is not set: run the operator suites with \`npx vitest run --project integration\` (its global setup starts the API server)`,
    );
  return value;
}

export function kubeEnv(): KubeEnv {
  const kc = new KubeConfig();
  kc.loadFromFile(infraVar('kubeconfig'));
  return { kc, admin: new KubeRest(kc, 'test-user') };
}

/** The same cluster credentials, impersonating a user (e.g. system:serviceaccount:ns:sa). */
export function impersonating(kc: KubeConfig, user: string): KubeConfig {
  const out = new KubeConfig();
  out.loadFromOptions({
    clusters: kc.clusters,
    contexts: kc.contexts,
    currentContext: kc.currentContext,
    users: kc.users.map((u) => ({ ...u, impersonateUser: user })),
  });
  return out;
}

export async function waitFor<T>(
  what: string,
  probe: () => Promise<T | undefined | false>,
  timeoutMs = 20_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await probe();
      if (v !== undefined && v !== false) return v;
    } catch (e) {
      last = e;
    }
    if (Date.now() > deadline)
      throw new Error(`timed out waiting for ${what}${last ? `: ${String(last)}` : ''}`);
    await sleep(100);
  }
}

/** Installs (server-side applies) the MiningPool CRD and waits until it is Established. */
export async function installCrd(admin: KubeRest): Promise<void> {
  await admin.apply(miningPoolCrd() as KubeObject, { force: true });
  await waitFor('CRD Established', async () => {
    const crd = await admin.get<{ status?: { conditions?: { type: string; status: string }[] } }>({
      apiVersion: 'apiextensions.k8s.io/v1',
      kind: 'CustomResourceDefinition',
      name: CRD_NAME,
    });
    return crd?.status?.conditions?.some((c) => c.type === 'Established' && c.status === 'True');
  });
}

export async function newNamespace(admin: KubeRest, prefix: string): Promise<string> {
  const name = `${prefix}-${randomBytes(3).toString('hex')}`;
  await admin.create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name } });
  return name;
}

export interface TestManager {
  manager: Manager;
  logs: string[];
  stop(): Promise<void>;
}

export async function startManager(
  kc: KubeConfig,
  opts: Partial<ManagerOptions> & { namespace: string },
): Promise<TestManager> {
  const logs: string[] = [];
  const manager = new Manager({
    kc,
    leaseNamespace: opts.namespace,
    leaderElection: false,
    resyncSeconds: 300,
    log: (level, msg, fields) => logs.push(`${level} ${msg} ${JSON.stringify(fields ?? {})}`),
    onLostLeadership: () => logs.push('lost leadership'),
    ...opts,
  });
  await manager.start();
  return { manager, logs, stop: () => manager.stop() };
}
