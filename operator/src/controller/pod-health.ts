/**
 * Why a component is not serving, read from its pods and its workload (pure): crash loops,
 * image pull failures, bad container config, OOM kills, unschedulable pods, a Deployment
 * past its progress deadline. Each problem names the component, the pod and the reason as
 * the kubelet/scheduler/controller reported it, for the Degraded condition and its Events.
 */

export interface ComponentProblem {
  component: string;
  /** The pod (or, for ProgressDeadlineExceeded, the Deployment). */
  object: string;
  reason: string;
  message: string;
}

interface ContainerState {
  waiting?: { reason?: string; message?: string };
  terminated?: { reason?: string; exitCode?: number; finishedAt?: string; message?: string };
}

interface ContainerStatus {
  name: string;
  restartCount?: number;
  state?: ContainerState;
  lastState?: ContainerState;
}

export interface PodLike {
  metadata: { name: string; labels?: Record<string, string>; deletionTimestamp?: string };
  status?: {
    phase?: string;
    conditions?: { type: string; status: string; reason?: string; message?: string }[];
    containerStatuses?: ContainerStatus[];
    initContainerStatuses?: ContainerStatus[];
  };
}

/** Waiting reasons that do not clear by themselves. */
const STUCK_WAITING = new Set([
  'CrashLoopBackOff',
  'ImagePullBackOff',
  'ErrImagePull',
  'InvalidImageName',
  'CreateContainerConfigError',
  'CreateContainerError',
  'RunContainerError',
]);

/** An OOM kill this recent still explains a restart (afterwards the container is judged by its state). */
export const RECENT_OOM_MS = 15 * 60_000;

const componentOf = (pod: PodLike): string =>
  pod.metadata.labels?.['app.kubernetes.io/component'] ?? pod.metadata.name;

function containerProblem(c: ContainerStatus, now: number): { reason: string; message: string } | undefined {
  const waiting = c.state?.waiting;
  const oom = [c.state?.terminated, c.lastState?.terminated].find(
    (t) =>
      t?.reason === 'OOMKilled' &&
      (t === c.state?.terminated || now - Date.parse(t.finishedAt ?? '') < RECENT_OOM_MS),
  );
  // OOMKilled explains a crash loop better than CrashLoopBackOff does.
  if (oom)
    return {
      reason: 'OOMKilled',
      message: `container ${c.name} was killed for exceeding its memory limit (restarts: ${c.restartCount ?? 0})`,
    };
  if (waiting?.reason && STUCK_WAITING.has(waiting.reason))
    return {
      reason: waiting.reason,
      message: `container ${c.name}: ${waiting.message ?? waiting.reason} (restarts: ${c.restartCount ?? 0})`,
    };
  return undefined;
}

export function podProblems(pods: readonly PodLike[], now: Date): ComponentProblem[] {
  const out: ComponentProblem[] = [];
  for (const pod of pods) {
    if (pod.metadata.deletionTimestamp) continue;
    const component = componentOf(pod);
    const object = `pod/${pod.metadata.name}`;
    const scheduled = pod.status?.conditions?.find((c) => c.type === 'PodScheduled');
    if (scheduled?.status === 'False' && scheduled.reason === 'Unschedulable') {
      out.push({ component, object, reason: 'Unschedulable', message: scheduled.message ?? 'unschedulable' });
      continue;
    }
    const statuses = [...(pod.status?.initContainerStatuses ?? []), ...(pod.status?.containerStatuses ?? [])];
    for (const c of statuses) {
      const p = containerProblem(c, now.getTime());
      if (p) {
        out.push({ component, object, ...p });
        break; // one problem per pod is enough to act on
      }
    }
  }
  return out;
}

export interface WorkloadLike {
  component: string;
  kind: string;
  name: string;
  conditions?: { type: string; status: string; reason?: string; message?: string }[];
}

/** A Deployment whose rollout the controller gave up on. */
export function workloadProblems(workloads: readonly WorkloadLike[]): ComponentProblem[] {
  return workloads.flatMap((w) => {
    const p = w.conditions?.find((c) => c.type === 'Progressing');
    return p?.status === 'False' && p.reason === 'ProgressDeadlineExceeded'
      ? [
          {
            component: w.component,
            object: `${w.kind.toLowerCase()}/${w.name}`,
            reason: 'ProgressDeadlineExceeded',
            message: p.message ?? 'rollout exceeded its progress deadline',
          },
        ]
      : [];
  });
}

/** "stratum: pod/p-stratum-x: ImagePullBackOff: container stratum: Back-off pulling image ..." */
export const describeProblem = (p: ComponentProblem): string =>
  `${p.component}: ${p.object}: ${p.reason}: ${p.message}`;

/** Same component, object and reason (the message may carry changing counters). */
export const sameProblem = (a: ComponentProblem, b: ComponentProblem): boolean =>
  a.component === b.component && a.object === b.object && a.reason === b.reason;
