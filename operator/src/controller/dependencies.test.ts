import { describe, expect, it } from 'vitest';
import { userPool } from '../../test/sample.js';
import { withDefaults } from '../api/defaults.js';
import type { MiningPool } from '../api/types.js';
import { startDevnet } from '../../../pool/src/devnet/index.js';
import { dependencyVerdicts, observeNode, parseJobmakerMetrics } from './dependencies.js';
import { computeStatus } from './status.js';

const METRICS = `# HELP eaglepool_jobmaker_template_age_seconds x
# TYPE eaglepool_jobmaker_template_age_seconds gauge
eaglepool_jobmaker_template_age_seconds 1.25
eaglepool_jobmaker_dependency_up{dependency="redis"} 1
eaglepool_jobmaker_dependency_up{dependency="kafka"} 0
`;

const sync = (ibd: boolean, tip: bigint, best: bigint, serve: boolean, reason?: string) => ({
  reachable: true as const,
  sync: { serve, known: true, ibd, tip, best, ...(reason ? { reason } : {}) },
});

describe('dependency conditions', () => {
  it('parses the job maker gauges', () => {
    expect(parseJobmakerMetrics(METRICS)).toEqual({
      templateAgeSeconds: 1.25,
      kafkaUp: false,
      redisUp: true,
    });
    expect(parseJobmakerMetrics('garbage\n')).toEqual({});
  });

  it('one condition per dependency; unknown when not observable', () => {
    expect(dependencyVerdicts({})).toEqual([
      { type: 'NodeSynced', status: 'Unknown', reason: 'NotObserved', message: 'the node was not asked yet' },
      ...['TemplateFresh', 'ShareLogWritable', 'StoreReachable'].map((type) => ({
        type,
        status: 'Unknown',
        reason: 'JobmakerUnavailable',
        message: 'the job maker is not available to report it',
      })),
    ]);
    expect(
      dependencyVerdicts({
        node: sync(false, 100n, 101n, true),
        jobmaker: parseJobmakerMetrics(METRICS),
      }).map((v) => [v.type, v.status, v.reason]),
    ).toEqual([
      ['NodeSynced', 'True', 'Synced'],
      ['TemplateFresh', 'True', 'Fresh'],
      ['ShareLogWritable', 'False', 'Disconnected'],
      ['StoreReachable', 'True', 'Connected'],
    ]);
    expect(dependencyVerdicts({ node: { reachable: false, error: 'ECONNREFUSED' } })[0]).toMatchObject({
      status: 'Unknown',
      reason: 'NodeUnreachable',
    });
    expect(dependencyVerdicts({ jobmaker: { templateAgeSeconds: 300 } })[1]).toMatchObject({
      status: 'False',
      reason: 'TemplateStale',
      message: 'last block template 300 s ago',
    });
  });

  it('a syncing node keeps the pool not Ready, with progress in the status and observedGeneration', () => {
    const pool = withDefaults(userPool('p', 'ns', {}) as MiningPool);
    pool.metadata.generation = 3;
    const workloads = ['ckb', 'kafka', 'redis', 'jobmaker', 'blockmaker', 'shareprocessor', 'stratum'].map(
      (component) => ({
        component,
        kind: 'Deployment' as const,
        desired: 1,
        status: {
          observedGeneration: 1,
          replicas: 1,
          readyReplicas: 1,
          availableReplicas: 1,
          updatedReplicas: 1,
        },
      }),
    );
    const status = computeStatus(
      pool,
      {
        workloads,
        problems: { conflicts: [], errors: [] },
        dependencies: {
          node: sync(
            true,
            1_200_000n,
            9_000_000n,
            false,
            'initial block download: tip 1200000 of 9000000 known (13.3%)',
          ),
        },
      },
      new Date('2026-12-01T00:00:00Z'),
    );
    const cond = (t: string) => status.conditions!.find((c) => c.type === t)!;
    expect(cond('Ready')).toMatchObject({
      status: 'False',
      reason: 'NodeNotSynced',
      message: 'initial block download: tip 1200000 of 9000000 known (13.3%)',
    });
    expect(cond('NodeSynced')).toMatchObject({
      status: 'False',
      reason: 'InitialBlockDownload',
      observedGeneration: 3,
    });
    expect(status.chain).toEqual({ tipNumber: 1_200_000, bestKnownNumber: 9_000_000, syncProgress: '13.3%' });
    expect(status.conditions!.every((c) => c.observedGeneration === 3)).toBe(true);
  });
});

describe('observeNode', () => {
  it('asks a real JSON-RPC node (the devnet) for sync_state and its tip; a dead one is unreachable', async () => {
    const devnet = await startDevnet();
    try {
      const obs = await observeNode(devnet.url);
      expect(obs).toMatchObject({ reachable: true, sync: { serve: true, known: true, ibd: false } });
    } finally {
      await devnet.stop();
    }
    expect(await observeNode(devnet.url)).toMatchObject({ reachable: false });
  });
});
