import { defineConfig } from 'vitest/config';

/** `npm test` runs every project: unit + integration (real PostgreSQL and Redis),
 * dashboard components (jsdom), and the browser end-to-end tests (real Chromium). */
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
    ],
  },
});
