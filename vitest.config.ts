import { defineConfig } from 'vitest/config';

/** `npm test` runs every project: unit + integration (real PostgreSQL and Redis),
 * dashboard components (jsdom), and the browser end-to-end tests (real Chromium
 * against an embedded server started by test/e2e-setup.ts). */
export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'node',
          include: ['packages/*/src/**/*.test.ts', 'packages/*/test/**/*.test.ts', 'test/**/*.test.ts'],
          exclude: ['**/node_modules/**', 'packages/admin-dashboard/**', '**/*.e2e.test.ts', '**/faults/**'],
          environment: 'node',
          testTimeout: 30_000,
          hookTimeout: 60_000,
        },
      },
      {
        // Real processes: private PostgreSQL and Redis instances, servers spawned as child
        // processes, kill -9 and outages. Short form here; `npm run test:faults` sets
        // FMO_FAULTS=full for the 30 s / 60 s outages and the larger volumes.
        test: {
          name: 'faults',
          include: ['packages/server/test/faults/**/*.test.ts'],
          environment: 'node',
          // One at a time: each file runs several processes under load on a 2-core box.
          fileParallelism: false,
          testTimeout: 600_000,
          hookTimeout: 120_000,
        },
      },
      './packages/admin-dashboard/vitest.config.ts',
      {
        test: {
          name: 'browser',
          include: ['packages/admin-dashboard/e2e/**/*.e2e.test.ts'],
          environment: 'node',
          globalSetup: ['./test/e2e-setup.ts'],
          testTimeout: 90_000,
          hookTimeout: 90_000,
          fileParallelism: false,
        },
      },
    ],
  },
});
