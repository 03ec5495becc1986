import { describe, expect, it } from 'vitest';
import { podProblems, workloadProblems, type PodLike } from './pod-health.js';

const now = new Date('2026-12-01T12:00:00Z');
const pod = (name: string, component: string, status: PodLike['status']): PodLike => ({
  metadata: { name, labels: { 'app.kubernetes.io/component': component } },
  status,
});
const waiting = (reason: string, message = `${reason} message`) => ({
  containerStatuses: [{ name: 'c', restartCount: 4, state: { waiting: { reason, message } } }],
});

describe('podProblems', () => {
  it('reports stuck waiting reasons with component, pod and message', () => {
    const problems = podProblems(
      [
        pod(
          'p-stratum-a',
          'stratum',
          waiting('CrashLoopBackOff', 'back-off 5m0s restarting failed container'),
        ),
        pod('p-ckb-0', 'ckb', waiting('ImagePullBackOff', 'Back-off pulling image "nervos/ckb:nope"')),
        pod('p-redis-0', 'redis', waiting('CreateContainerConfigError', 'secret "p-redis-auth" not found')),
      ],
      now,
    );
    expect(problems).toEqual([
      {
        component: 'stratum',
        object: 'pod/p-stratum-a',
        reason: 'CrashLoopBackOff',
        message: 'container c: back-off 5m0s restarting failed container (restarts: 4)',
      },
      {
        component: 'ckb',
        object: 'pod/p-ckb-0',
        reason: 'ImagePullBackOff',
        message: 'container c: Back-off pulling image "nervos/ckb:nope" (restarts: 4)',
      },
      {
        component: 'redis',
        object: 'pod/p-redis-0',
        reason: 'CreateContainerConfigError',
        message: 'container c: secret "p-redis-auth" not found (restarts: 4)',
      },
    ]);
  });

  it('names a recent OOM kill instead of the crash loop it causes; an old one is history', () => {
    const oom = (finishedAt: string): PodLike['status'] => ({
      containerStatuses: [
        {
          name: 'kafka',
          restartCount: 2,
          state: { running: {} } as never,
          lastState: { terminated: { reason: 'OOMKilled', exitCode: 137, finishedAt } },
        },
      ],
    });
    expect(podProblems([pod('p-kafka-0', 'kafka', oom('2026-12-01T11:58:00Z'))], now)).toMatchObject([
      { component: 'kafka', reason: 'OOMKilled', object: 'pod/p-kafka-0' },
    ]);
    expect(podProblems([pod('p-kafka-0', 'kafka', oom('2026-12-01T10:00:00Z'))], now)).toEqual([]);
  });

  it('reports unschedulable pods with the scheduler message, ignores healthy and terminating pods', () => {
    const unschedulable = pod('p-stratum-b', 'stratum', {
      phase: 'Pending',
      conditions: [
        {
          type: 'PodScheduled',
          status: 'False',
          reason: 'Unschedulable',
          message: '0/1 nodes are available: 1 Insufficient cpu.',
        },
      ],
    });
    const healthy = pod('p-jobmaker-x', 'jobmaker', {
      phase: 'Running',
      containerStatuses: [{ name: 'jobmaker', state: { running: {} } as never }],
    });
    const terminating = { ...pod('p-stratum-c', 'stratum', waiting('CrashLoopBackOff')) };
    terminating.metadata = { ...terminating.metadata, deletionTimestamp: '2026-12-01T11:59:00Z' };
    expect(podProblems([unschedulable, healthy, terminating], now)).toEqual([
      {
        component: 'stratum',
        object: 'pod/p-stratum-b',
        reason: 'Unschedulable',
        message: '0/1 nodes are available: 1 Insufficient cpu.',
      },
    ]);
  });

  it('a container still creating or pulling for the first time is not a problem', () => {
    expect(podProblems([pod('p', 'x', waiting('ContainerCreating'))], now)).toEqual([]);
  });
});

describe('workloadProblems', () => {
  it('reports a Deployment past its progress deadline', () => {
    expect(
      workloadProblems([
        {
          component: 'stratum',
          kind: 'Deployment',
          name: 'p-stratum',
          conditions: [
            {
              type: 'Progressing',
              status: 'False',
              reason: 'ProgressDeadlineExceeded',
              message: 'ReplicaSet "p-stratum-1" has timed out progressing.',
            },
          ],
        },
        { component: 'jobmaker', kind: 'Deployment', name: 'p-jobmaker', conditions: [] },
      ]),
    ).toEqual([
      {
        component: 'stratum',
        object: 'deployment/p-stratum',
        reason: 'ProgressDeadlineExceeded',
        message: 'ReplicaSet "p-stratum-1" has timed out progressing.',
      },
    ]);
  });
});
