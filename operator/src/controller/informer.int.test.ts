/** ResilientInformer against the real API server: a silent watch is restarted and events keep flowing. */
import { afterEach, describe, expect, it } from 'vitest';
import type { KubernetesListObject, KubernetesObject } from '@kubernetes/client-node';
import { resourcePath } from '../kube/resources.js';
import { kubeEnv, newNamespace, waitFor } from '../../test/kube-env.js';
import { ResilientInformer } from './informer.js';

let informer: ResilientInformer<KubernetesObject> | undefined;
afterEach(async () => {
  await informer?.stop();
});

describe('ResilientInformer', () => {
  it('restarts a watch that shows no activity, then still delivers events', async () => {
    const { kc, admin } = kubeEnv();
    const ns = await newNamespace(admin, 'informer');
    const ref = { apiVersion: 'v1', kind: 'ConfigMap', namespace: ns };
    const restarts: string[] = [];
    const seen: string[] = [];
    informer = new ResilientInformer<KubernetesObject>({
      kc,
      path: resourcePath(ref),
      list: () => admin.list(ref) as Promise<KubernetesListObject<KubernetesObject>>,
      onEvent: (verb, obj) => seen.push(`${verb} ${obj.metadata?.name}`),
      onRestart: (reason) => restarts.push(reason),
      staleMs: 1000,
    });
    await informer.start();
    await waitFor('a stale restart', async () => restarts.length > 0, 10_000);
    expect(restarts[0]).toBe('no activity for 1 s');
    await admin.create({ ...ref, metadata: { name: 'after-restart', namespace: ns }, data: { a: 'b' } });
    await waitFor('the add event', async () => seen.includes('add after-restart'), 10_000);
    expect(informer.list().map((o) => o.metadata?.name)).toContain('after-restart');
  });

  it('restarts with backoff after a watch error instead of staying dead', async () => {
    const { kc, admin } = kubeEnv();
    const restarts: string[] = [];
    let calls = 0;
    informer = new ResilientInformer<KubernetesObject>({
      kc,
      path: '/api/v1/namespaces/default/configmaps',
      // The first two lists fail like a dropped connection would.
      list: () =>
        ++calls <= 2
          ? Promise.reject(new Error(`boom ${calls}`))
          : (admin.list({ apiVersion: 'v1', kind: 'ConfigMap', namespace: 'default' }) as Promise<
              KubernetesListObject<KubernetesObject>
            >),
      onEvent: () => {},
      onRestart: (reason) => restarts.push(reason),
      minBackoffMs: 50,
    });
    await informer.start();
    await waitFor('recovered', async () => calls >= 3, 10_000);
    expect(restarts).toEqual(['watch error: boom 1', 'watch error: boom 2']);
  });
});
