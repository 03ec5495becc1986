/**
 * spec -> manifests. `renderChildren` is pure: the desired children of a (defaulted) pool,
 * each stamped with the hash of its intent; `prunableChildren` names the ones the pool
 * could own but currently must not (to delete when a feature is switched off).
 */
import type { MiningPool } from '../api/types.js';
import { configMap } from './config.js';
import { childName, withAppliedHash, type K8sObject } from './meta.js';
import { serviceMonitor } from './monitoring.js';
import {
  blockmakerPolicy,
  ckbPolicy,
  jobmakerPolicy,
  kafkaPolicy,
  redisPolicy,
  shareprocessorPolicy,
  stratumPolicy,
  translatorPolicy,
} from './policy.js';
import { poolDeployment, poolService, stratumHpa, metricsService, stratumPdb } from './pool-services.js';
import {
  ckbConfigMap,
  ckbService,
  ckbStatefulSet,
  kafkaService,
  kafkaStatefulSet,
  redisHeadlessService,
  redisService,
  redisStatefulSet,
} from './stateful.js';

export type { K8sObject } from './meta.js';

export interface ChildRef {
  apiVersion: string;
  kind: string;
  name: string;
}

export const refOf = (o: K8sObject): ChildRef => ({
  apiVersion: o.apiVersion,
  kind: o.kind,
  name: o.metadata.name,
});
export const refKey = (r: ChildRef): string => `${r.apiVersion}/${r.kind}/${r.name}`;

function unhashed(pool: MiningPool): K8sObject[] {
  const { spec } = pool;
  const out: K8sObject[] = [configMap(pool)];
  if (!spec.ckb.external)
    out.push(ckbConfigMap(pool), ckbService(pool), ckbStatefulSet(pool), ckbPolicy(pool));
  if (!spec.kafka.external) out.push(kafkaService(pool), kafkaStatefulSet(pool), kafkaPolicy(pool));
  if (!spec.redis.external)
    out.push(redisService(pool), redisHeadlessService(pool), redisStatefulSet(pool), redisPolicy(pool));
  for (const c of ['jobmaker', 'blockmaker', 'shareprocessor'] as const)
    out.push(poolService(pool, c), poolDeployment(pool, c));
  out.push(jobmakerPolicy(pool), blockmakerPolicy(pool), shareprocessorPolicy(pool), stratumPolicy(pool));
  out.push(
    poolService(pool, 'stratum'),
    metricsService(pool, 'stratum'),
    poolDeployment(pool, 'stratum'),
    stratumPdb(pool),
  );
  if (spec.stratum.autoscaling.enabled) out.push(stratumHpa(pool));
  if (spec.translator.enabled)
    out.push(
      poolService(pool, 'translator'),
      metricsService(pool, 'translator'),
      poolDeployment(pool, 'translator'),
      translatorPolicy(pool),
    );
  if (spec.monitoring.serviceMonitor.enabled) out.push(serviceMonitor(pool));
  return out;
}

export function renderChildren(pool: MiningPool): K8sObject[] {
  return unhashed(pool).map(withAppliedHash);
}

/** Every child kind/name any spec of this pool could produce (the noise Secret excluded: never deleted by us). */
export function possibleChildren(pool: MiningPool): ChildRef[] {
  const n = (c: Parameters<typeof childName>[1]) => childName(pool, c);
  const ref = (apiVersion: string, kind: string, name: string): ChildRef => ({ apiVersion, kind, name });
  return [
    ref('v1', 'ConfigMap', n('config')),
    ref('v1', 'ConfigMap', `${n('ckb')}-config`),
    ...(['ckb', 'kafka', 'redis'] as const).flatMap((c) => [
      ref('v1', 'Service', n(c)),
      ref('apps/v1', 'StatefulSet', n(c)),
      ref('networking.k8s.io/v1', 'NetworkPolicy', n(c)),
    ]),
    ...(['jobmaker', 'blockmaker', 'shareprocessor', 'stratum', 'translator'] as const).flatMap((c) => [
      ref('v1', 'Service', n(c)),
      ref('apps/v1', 'Deployment', n(c)),
      ref('networking.k8s.io/v1', 'NetworkPolicy', n(c)),
    ]),
    ref('v1', 'Service', `${n('stratum')}-metrics`),
    ref('v1', 'Service', `${n('redis')}-headless`),
    ref('v1', 'Service', `${n('translator')}-metrics`),
    ref('policy/v1', 'PodDisruptionBudget', n('stratum')),
    ref('autoscaling/v2', 'HorizontalPodAutoscaler', n('stratum')),
    ref('monitoring.coreos.com/v1', 'ServiceMonitor', pool.metadata.name),
  ];
}

export function prunableChildren(pool: MiningPool, desired: readonly K8sObject[]): ChildRef[] {
  const want = new Set(desired.map((o) => refKey(refOf(o))));
  return possibleChildren(pool).filter((r) => !want.has(refKey(r)));
}
