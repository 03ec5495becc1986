import { defineConfig } from 'vitest/config';

// Three tiers: `unit` (pure code, in-memory fakes, no servers), `integration` (real Redis, Kafka,
// kube-apiserver started by e2e/infra; files named *.int.test.ts) and `cluster` (e2e/cluster: the pool
// on a real single-node Kubernetes cluster, started once by its global setup; runs after the others).
// The cluster project is part of `npm test` (root; `.ci/install.d/70-cluster.sh` installs its tier);
// EAGLEPOOL_CLUSTER_SUITE=0 leaves it out, see docs/infrastructure.md#the-cluster-tier.
const clusterProject = {
  test: {
    name: 'cluster',
    include: ['e2e/cluster/**/*.int.test.ts'],
    globalSetup: ['e2e/cluster/global-setup.ts'],
    testTimeout: 900_000,
    hookTimeout: 1_200_000,
    fileParallelism: false,
    // After unit and integration: the cluster wants the machine's two cores to itself.
    sequence: { groupOrder: 1 },
  },
};

export default defineConfig({
  test: {
    projects: [
      ...(process.env.EAGLEPOOL_CLUSTER_SUITE === '0' ? [] : [clusterProject]),
      {
        test: {
          name: 'unit',
          include: ['pool/**/*.test.ts', 'operator/**/*.test.ts', 'e2e/**/*.test.ts'],
          exclude: ['**/*.int.test.ts', '**/node_modules/**', '**/target/**'],
          testTimeout: 30_000,
        },
      },
      {
        test: {
          name: 'integration',
          include: ['**/*.int.test.ts'],
          exclude: ['**/node_modules/**', '**/target/**', 'e2e/cluster/**'],
          globalSetup: ['e2e/infra/vitest-global-setup.ts'],
          testTimeout: 120_000,
          hookTimeout: 300_000,
          fileParallelism: false,
        },
      },
    ],
  },
});
