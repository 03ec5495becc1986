import { defineConfig } from 'vitest/config';

// Two tiers: `unit` (pure code, in-memory fakes, no servers) and `integration`
// (real Redis, Kafka, kube-apiserver started by e2e/infra; files named *.int.test.ts).
export default defineConfig({
  test: {
    projects: [
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
          exclude: ['**/node_modules/**', '**/target/**'],
          globalSetup: ['e2e/infra/vitest-global-setup.ts'],
          testTimeout: 120_000,
          hookTimeout: 300_000,
          fileParallelism: false,
        },
      },
    ],
  },
});
