// Where the installer (e2e/infra/install.sh) caches each dependency, and which ones are missing.
import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { InfraEnv } from '../env.js';

export const INFRA_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const REPO_DIR = resolve(INFRA_DIR, '..', '..');
export const INSTALL_SCRIPT = join(INFRA_DIR, 'install.sh');

export interface InfraVersions {
  kubernetes: string;
  etcd: string;
  helm: string;
  kafka: string;
  ckb: string;
  coredns: string;
}

/** Parses e2e/infra/versions.env (KEY=VALUE lines, # comments), shared with install.sh. */
export function readVersions(file = join(INFRA_DIR, 'versions.env')): InfraVersions {
  const values = new Map<string, string>();
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    const match = /^([A-Z_]+)=(\S+)\s*$/.exec(line.trim());
    if (match) values.set(match[1]!, match[2]!);
  }
  const get = (key: string): string => {
    const value = values.get(key);
    if (value === undefined) throw new Error(`${file}: ${key} is not set`);
    return value;
  };
  return {
    kubernetes: get('KUBERNETES_VERSION'),
    etcd: get('ETCD_VERSION'),
    helm: get('HELM_VERSION'),
    kafka: get('KAFKA_VERSION'),
    ckb: get('CKB_VERSION'),
    coredns: get('COREDNS_VERSION'),
  };
}

/** Same rule as install.sh: $EAGLEPOOL_CACHE, else $XDG_CACHE_HOME/eaglepool, else ~/.cache/eaglepool. */
export function cacheRoot(env: NodeJS.ProcessEnv = process.env): string {
  if (env.EAGLEPOOL_CACHE) return env.EAGLEPOOL_CACHE;
  return join(env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'eaglepool');
}

export interface InfraBinaries {
  redisServer: string;
  java: string;
  kafkaLibDir: string;
  etcd: string;
  kubeApiserver: string;
  helm: string;
  ckb: string;
  /** The cluster tier's kubelet, kube-controller-manager, kube-scheduler, kube-proxy, kubectl, pause. */
  kubernetesDir: string;
  coredns: string;
}

export function infraBinaries(
  versions: InfraVersions = readVersions(),
  root: string = cacheRoot(),
  env: NodeJS.ProcessEnv = process.env,
): InfraBinaries {
  return {
    redisServer: '/usr/bin/redis-server',
    java: env.JAVA_HOME ? join(env.JAVA_HOME, 'bin', 'java') : 'java',
    kafkaLibDir: join(root, `kafka-${versions.kafka}`, 'lib'),
    etcd: join(root, `etcd-${versions.etcd}`, 'etcd'),
    kubeApiserver: join(root, `kube-apiserver-${versions.kubernetes}`, 'kube-apiserver'),
    helm: join(root, `helm-${versions.helm}`, 'helm'),
    ckb: join(root, `ckb-${versions.ckb}`, 'bin', 'ckb'),
    kubernetesDir: join(root, `kubernetes-${versions.kubernetes}`),
    coredns: join(root, `coredns-${versions.coredns}`, 'coredns'),
  };
}

/** Started by default (EAGLEPOOL_INFRA unset or `all`). */
export const DEPENDENCIES = ['redis', 'kafka', 'kube', 'helm'] as const;
/**
 * Started only when named (EAGLEPOOL_INFRA=...,ckb or `cli.ts up ckb`): the CKB node's build is long;
 * the cluster tier (`cli.ts up cluster`) is a whole Kubernetes node.
 */
export const OPT_IN_DEPENDENCIES = ['ckb', 'cluster'] as const;
export type Dependency = (typeof DEPENDENCIES)[number] | (typeof OPT_IN_DEPENDENCIES)[number];

/** Which InfraEnv field (and so which EAGLEPOOL_* variable) each dependency provides. */
export const DEPENDENCY_ENV = {
  redis: 'redisUrl',
  kafka: 'kafkaBrokers',
  kube: 'kubeconfig',
  helm: 'helm',
  ckb: 'ckbRpc',
  cluster: 'clusterKubeconfig',
} as const satisfies Record<Dependency, keyof InfraEnv>;

/** install.sh targets whose cached artifacts are absent for the given dependencies. */
export function missingInstallTargets(deps: readonly Dependency[], bins = infraBinaries()): string[] {
  const complete = (file: string): boolean => existsSync(join(dirname(file), '.complete'));
  const missing: string[] = [];
  for (const dep of deps) {
    if (dep === 'redis' && !existsSync(bins.redisServer)) missing.push('redis');
    if (dep === 'kafka' && !complete(bins.kafkaLibDir)) missing.push('kafka');
    if (dep === 'kube') {
      if (!complete(bins.etcd)) missing.push('etcd');
      if (!complete(bins.kubeApiserver)) missing.push('kube-apiserver');
    }
    if (dep === 'helm' && !complete(bins.helm)) missing.push('helm');
    if (dep === 'ckb' && !complete(dirname(bins.ckb))) missing.push('ckb');
    if (
      dep === 'cluster' &&
      ![bins.etcd, bins.kubeApiserver, bins.helm, join(bins.kubernetesDir, 'kubelet'), bins.coredns].every(
        complete,
      )
    )
      missing.push('cluster');
  }
  return missing;
}

/** Parses a dependency list such as "redis,kafka" (EAGLEPOOL_INFRA); empty or "all" means the four defaults. */
export function parseDependencies(spec: string | undefined): Dependency[] {
  if (spec === undefined || spec.trim() === '' || spec.trim() === 'all') return [...DEPENDENCIES];
  const deps = spec.split(',').map((s) => s.trim());
  for (const dep of deps) {
    if (![...DEPENDENCIES, ...OPT_IN_DEPENDENCIES].includes(dep as Dependency)) {
      throw new Error(
        `unknown infra dependency '${dep}' (expected some of: ${[...DEPENDENCIES, ...OPT_IN_DEPENDENCIES].join(', ')})`,
      );
    }
  }
  return deps as Dependency[];
}
