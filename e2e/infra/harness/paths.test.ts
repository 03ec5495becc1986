import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { INFRA_DIR, cacheRoot, infraBinaries, parseDependencies, readVersions } from './paths.js';

describe('infra paths', () => {
  it('keeps versions.env in step with the wrapper modules and the Kafka pom', () => {
    const v = readVersions();
    const k8sMod = readFileSync(join(INFRA_DIR, 'k8s', 'go.mod'), 'utf8');
    expect(k8sMod).toMatch(new RegExp(`^(require )?\\s*k8s\\.io/kubernetes v${v.kubernetes}\\b`, 'm'));
    // every staging module is replaced by the matching v0.X.Y tag
    const minorPatch = v.kubernetes.replace(/^1\./, '');
    const replaces = [...k8sMod.matchAll(/^replace (k8s\.io\/\S+) => \S+ (v\S+)$/gm)];
    expect(replaces.length).toBeGreaterThan(25);
    for (const [, , version] of replaces) expect(version).toBe(`v0.${minorPatch}`);
    const etcdMod = readFileSync(join(INFRA_DIR, 'etcd', 'go.mod'), 'utf8');
    expect(etcdMod).toMatch(new RegExp(`go\\.etcd\\.io/etcd/server/v3 v${v.etcd}\\b`));
    const corednsMod = readFileSync(join(INFRA_DIR, 'coredns', 'go.mod'), 'utf8');
    expect(corednsMod).toMatch(new RegExp(`github\\.com/coredns/coredns v${v.coredns}\\b`));
    // the cluster tier's binaries come from the same Kubernetes module as kube-apiserver
    for (const cmd of [
      'kube-apiserver',
      'kubelet',
      'kube-controller-manager',
      'kube-scheduler',
      'kube-proxy',
      'kubectl',
    ])
      expect(k8sMod).toContain(`k8s.io/kubernetes/cmd/${cmd}\n`);
    const pom = readFileSync(join(INFRA_DIR, 'kafka', 'pom.xml'), 'utf8');
    expect(pom).toContain(`<kafka.version>${v.kafka}</kafka.version>`);
  });

  it('resolves the cache root like install.sh', () => {
    expect(cacheRoot({ EAGLEPOOL_CACHE: '/c' })).toBe('/c');
    expect(cacheRoot({ XDG_CACHE_HOME: '/x' })).toBe('/x/eaglepool');
    const bins = infraBinaries(readVersions(), '/c', {});
    expect(bins.kubeApiserver).toBe(`/c/kube-apiserver-${readVersions().kubernetes}/kube-apiserver`);
    expect(bins.java).toBe('java');
    expect(bins.ckb).toBe(`/c/ckb-${readVersions().ckb}/bin/ckb`); // what install.sh's install_ckb publishes
    expect(bins.coredns).toBe(`/c/coredns-${readVersions().coredns}/coredns`);
  });

  it('parses dependency lists', () => {
    expect(parseDependencies(undefined)).toEqual(['redis', 'kafka', 'kube', 'helm']);
    expect(parseDependencies('all')).toEqual(['redis', 'kafka', 'kube', 'helm']);
    expect(parseDependencies('kafka, redis')).toEqual(['kafka', 'redis']);
    expect(parseDependencies('redis,ckb')).toEqual(['redis', 'ckb']); // opt-in, never in the default
    // the cluster tier is started only when named
    expect(parseDependencies('cluster')).toEqual(['cluster']);
    expect(() => parseDependencies('redis,zookeeper')).toThrow(/unknown infra dependency 'zookeeper'/);
  });
});
