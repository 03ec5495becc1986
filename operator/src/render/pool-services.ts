/**
 * Deployments and Services of the pool services that run the Eaglepool image:
 * jobmaker, blockmaker, shareprocessor, stratum and translator.
 */
import type { MiningPool, ResourceRequirements } from '../api/types.js';
import {
  BLOCKMAKER_GRPC_PORT,
  CONFIG_DIR,
  JOBMAKER_GRPC_PORT,
  METRICS_PORT,
  NOISE_DIR,
  SHAREPROCESSOR_HTTP_PORT,
  caVolumes,
  commonEnv,
  configHash,
  serviceHost,
  type EnvVar,
} from './config.js';
import { NOISE_SECRET_KEYS } from './noise.js';
import { serviceTokenVolume } from './service-token.js';
import { resourcesOf } from './sizing.js';
import {
  CONFIG_HASH_ANNOTATION,
  childMeta,
  childName,
  compact,
  labels,
  selectorLabels,
  type K8sObject,
} from './meta.js';

export type PoolComponent = 'jobmaker' | 'blockmaker' | 'shareprocessor' | 'stratum' | 'translator';

/** Container args after the `eaglepool` entrypoint. */
export const COMMANDS: Record<PoolComponent, string[]> = {
  jobmaker: ['pool', 'jobmaker'],
  blockmaker: ['pool', 'blockmaker'],
  shareprocessor: ['pool', 'shareprocessor'],
  stratum: ['pool', 'stratum'],
  translator: ['translator'],
};

/** UID of the `eaglepool` user in the image (Dockerfile). */
export const POOL_UID = 10001;

export const restrictedContainerSecurity = {
  runAsNonRoot: true,
  runAsUser: POOL_UID,
  runAsGroup: POOL_UID,
  allowPrivilegeEscalation: false,
  readOnlyRootFilesystem: true,
  capabilities: { drop: ['ALL'] },
  seccompProfile: { type: 'RuntimeDefault' },
};

interface Port {
  name: string;
  containerPort: number;
  protocol: 'TCP';
}

const tcp = (name: string, containerPort: number): Port => ({ name, containerPort, protocol: 'TCP' });

function componentPorts(pool: MiningPool, component: PoolComponent): Port[] {
  const metrics = tcp('metrics', METRICS_PORT);
  switch (component) {
    case 'jobmaker':
      return [tcp('grpc', JOBMAKER_GRPC_PORT), metrics];
    case 'blockmaker':
      return [tcp('grpc', BLOCKMAKER_GRPC_PORT), metrics];
    case 'shareprocessor':
      return [tcp('http', SHAREPROCESSOR_HTTP_PORT), metrics];
    case 'stratum':
      return [tcp('sv2', pool.spec.stratum.port), metrics];
    case 'translator':
      return [
        tcp('sv1', pool.spec.translator.port),
        ...(pool.spec.translator.ports ?? []).map((p) => tcp(p.name, p.port)),
        metrics,
      ];
  }
}

function componentReplicas(pool: MiningPool, component: PoolComponent): number {
  if (component === 'stratum') return pool.spec.stratum.replicas;
  if (component === 'translator') return pool.spec.translator.replicas;
  return 1; // jobmaker/blockmaker are singletons fed by one node; shareprocessor scales by partitions later.
}

function componentResources(pool: MiningPool, component: PoolComponent): ResourceRequirements {
  const given =
    component === 'stratum'
      ? pool.spec.stratum.resources
      : component === 'translator'
        ? pool.spec.translator.resources
        : pool.spec.resources[component];
  return resourcesOf(pool, component, given);
}

/** What `pool stratum` and `translator` read outside the config file (pool/src/cli/stratum.ts, translator.ts). */
function extraEnv(pool: MiningPool, component: PoolComponent): EnvVar[] {
  if (component === 'stratum') {
    return [
      { name: 'EAGLEPOOL_NOISE_DIR', value: NOISE_DIR },
      { name: 'EAGLEPOOL_STRATUM_PORT', value: String(pool.spec.stratum.port) },
      {
        name: 'EAGLEPOOL_VARDIFF_TARGET_SECONDS',
        value: String(pool.spec.stratum.vardiff.targetShareIntervalSeconds),
      },
    ];
  }
  if (component === 'translator') {
    return [
      {
        name: 'EAGLEPOOL_AUTHORITY_PUBLIC_KEY',
        valueFrom: {
          secretKeyRef: { name: childName(pool, 'noise'), key: NOISE_SECRET_KEYS.authorityPublicKey },
        },
      },
    ];
  }
  return [];
}

/** Container args after the `eaglepool` entrypoint; $(VAR) is expanded by the kubelet. */
export function componentArgs(pool: MiningPool, component: PoolComponent): string[] {
  if (component !== 'translator') return COMMANDS[component];
  return [
    ...COMMANDS.translator,
    `--listen=0.0.0.0:${pool.spec.translator.port}`,
    // One more listener per published port: HOST:PORT[,dialect=NAME][,difficulty=D] (cli/translator.ts).
    ...(pool.spec.translator.ports ?? []).map(
      (p) =>
        `--listen=0.0.0.0:${p.port}` +
        (p.dialect && p.dialect !== 'auto' ? `,dialect=${p.dialect}` : '') +
        (p.difficulty !== undefined ? `,difficulty=${p.difficulty}` : ''),
    ),
    `--upstream=${serviceHost(pool, 'stratum')}:${pool.spec.stratum.port}`,
    '--authority-key=$(EAGLEPOOL_AUTHORITY_PUBLIC_KEY)',
    `--user=${pool.metadata.name}.translator`,
    `--metrics-port=${METRICS_PORT}`,
  ];
}

export function poolDeployment(pool: MiningPool, component: PoolComponent): K8sObject {
  const needsNoise = component === 'stratum';
  const volumes: unknown[] = [
    { name: 'config', configMap: { name: childName(pool, 'config') } },
    { name: 'tmp', emptyDir: {} },
  ];
  const mounts: unknown[] = [
    { name: 'config', mountPath: CONFIG_DIR, readOnly: true },
    { name: 'tmp', mountPath: '/tmp' },
  ];
  const ca = caVolumes(pool);
  volumes.push(...ca.volumes);
  mounts.push(...ca.mounts);
  if (component === 'jobmaker' || component === 'blockmaker' || component === 'stratum') {
    const token = serviceTokenVolume(pool);
    volumes.push(token.volume);
    mounts.push(token.mount);
  }
  if (needsNoise) {
    volumes.push({ name: 'noise', secret: { secretName: childName(pool, 'noise'), defaultMode: 0o400 } });
    mounts.push({ name: 'noise', mountPath: NOISE_DIR, readOnly: true });
  }
  // 5 s timeouts: with the kubelet's default of 1 s, stratum and the block maker were killed by
  // liveness on a loaded node while serving (cluster tier), dropping every miner of the pod.
  const probe = (path: string) => ({
    httpGet: { path, port: 'metrics' },
    periodSeconds: 10,
    timeoutSeconds: 5,
    failureThreshold: 3,
  });
  return compact({
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: childMeta(pool, component),
    spec: {
      replicas: componentReplicas(pool, component),
      selector: { matchLabels: selectorLabels(pool, component) },
      // Singletons must never run twice (two jobmakers would hand out clashing jobs).
      strategy:
        component === 'jobmaker' || component === 'blockmaker'
          ? { type: 'Recreate' }
          : { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 1, maxSurge: 1 } },
      template: {
        metadata: {
          labels: labels(pool, component),
          annotations: { [CONFIG_HASH_ANNOTATION]: configHash(pool, component) },
        },
        spec: {
          automountServiceAccountToken: false,
          enableServiceLinks: false,
          securityContext: { runAsNonRoot: true, fsGroup: 10001, seccompProfile: { type: 'RuntimeDefault' } },
          terminationGracePeriodSeconds:
            component === 'stratum' ? pool.spec.stratum.drainDelaySeconds + STRATUM_DRAIN_SECONDS : 30,
          // Replicas on distinct nodes and zones where possible: one node or zone lost costs a share of the miners.
          topologySpreadConstraints: component === 'stratum' ? stratumSpread(pool) : undefined,
          containers: [
            {
              name: component,
              image: pool.spec.images.pool,
              imagePullPolicy: pool.spec.images.pullPolicy,
              args: componentArgs(pool, component),
              env: [...commonEnv(pool), ...extraEnv(pool, component)],
              ports: componentPorts(pool, component),
              readinessProbe: probe('/readyz'),
              // Liveness only once started: on a loaded node a Node.js service can take more than the
              // liveness window to listen, and was killed in a loop before it ever served (cluster tier).
              startupProbe: { ...probe('/healthz'), periodSeconds: 5, failureThreshold: 60 },
              // Restart only a process stuck for a minute, not one slowed by its neighbours.
              livenessProbe: { ...probe('/healthz'), failureThreshold: 6 },
              lifecycle: component === 'stratum' ? stratumLifecycle(pool) : undefined,
              resources: componentResources(pool, component),
              securityContext: restrictedContainerSecurity,
              volumeMounts: mounts,
            },
          ],
          volumes,
        },
      },
    },
  });
}

/**
 * After the preStop delay the process gets SIGTERM and drains: readiness false, confirmations
 * awaited and acknowledged, Reconnect, close (pool/src/stratum/server.ts, 5 s), then exits;
 * the rest of the grace period is margin for a loaded node.
 */
export const STRATUM_DRAIN_SECONDS = 45;

/**
 * A stratum pod being deleted is at once out of its Service's ready endpoints, but kube-proxy on
 * every node and a cloud load balancer (its health checks) take a while to stop routing to it.
 * It keeps accepting miners through the preStop sleep, so none is refused, and only then sends
 * Reconnect: its miners reconnect through the Service to the replicas left.
 */
function stratumLifecycle(pool: MiningPool): unknown {
  const seconds = pool.spec.stratum.drainDelaySeconds;
  return seconds > 0 ? { preStop: { sleep: { seconds } } } : undefined;
}

function stratumSpread(pool: MiningPool): unknown[] {
  return ['kubernetes.io/hostname', 'topology.kubernetes.io/zone'].map((topologyKey) => ({
    maxSkew: 1,
    topologyKey,
    whenUnsatisfiable: 'ScheduleAnyway',
    labelSelector: { matchLabels: selectorLabels(pool, 'stratum') },
    matchLabelKeys: ['pod-template-hash'],
  }));
}

export function poolService(pool: MiningPool, component: PoolComponent): K8sObject {
  const ports = componentPorts(pool, component).map((p) => ({
    name: p.name,
    port: p.containerPort,
    targetPort: p.name,
    protocol: p.protocol,
  }));
  const base = { selector: selectorLabels(pool, component), ports };
  if (component !== 'stratum' && component !== 'translator') {
    return {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: childMeta(pool, component),
      spec: { type: 'ClusterIP', ...base },
    };
  }
  // Miners keep long-lived TCP sessions; only the mining ports are exposed (metrics: own Service).
  const svc = component === 'stratum' ? pool.spec.stratum.service : pool.spec.translator.service;
  const meta = childMeta(pool, component);
  return compact({
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { ...meta, annotations: svc.annotations },
    spec: {
      type: svc.type,
      ...base,
      ports: ports.filter((p) => p.name !== 'metrics'),
      loadBalancerSourceRanges: svc.type === 'LoadBalancer' ? svc.loadBalancerSourceRanges : undefined,
      externalTrafficPolicy: svc.type === 'ClusterIP' ? undefined : svc.externalTrafficPolicy,
    },
  });
}

/** Metrics Service of stratum or the translator (their main Service may be a public LoadBalancer without it). */
export function metricsService(pool: MiningPool, component: 'stratum' | 'translator'): K8sObject {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: childMeta(pool, component, `${childName(pool, component)}-metrics`),
    spec: {
      type: 'ClusterIP',
      selector: selectorLabels(pool, component),
      ports: [{ name: 'metrics', port: METRICS_PORT, targetPort: 'metrics', protocol: 'TCP' }],
    },
  };
}

export function stratumPdb(pool: MiningPool): K8sObject {
  return {
    apiVersion: 'policy/v1',
    kind: 'PodDisruptionBudget',
    metadata: childMeta(pool, 'stratum'),
    spec: { maxUnavailable: 1, selector: { matchLabels: selectorLabels(pool, 'stratum') } },
  };
}

/** CPU HPA that scales the MiningPool itself through its scale subresource. */
export function stratumHpa(pool: MiningPool): K8sObject {
  const a = pool.spec.stratum.autoscaling;
  return {
    apiVersion: 'autoscaling/v2',
    kind: 'HorizontalPodAutoscaler',
    metadata: childMeta(pool, 'stratum'),
    spec: {
      scaleTargetRef: {
        apiVersion: `mining.eaglepool.dev/v1alpha1`,
        kind: 'MiningPool',
        name: pool.metadata.name,
      },
      minReplicas: a.minReplicas,
      maxReplicas: a.maxReplicas,
      metrics: [
        {
          type: 'Resource',
          resource: {
            name: 'cpu',
            target: { type: 'Utilization', averageUtilization: a.targetCPUUtilizationPercentage },
          },
        },
      ],
    },
  };
}
