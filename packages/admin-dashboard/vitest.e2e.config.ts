import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

/** Browser end-to-end tests: real Chromium (playwright-core) against a running
 * observatory. Needs FMO_BASE_URL (e.g. http://localhost:8000); see e2e/README.md. */
const root = fileURLToPath(new URL('.', import.meta.url));

export default defineConfig({
  root,
  test: {
    name: 'admin-dashboard-e2e',
    root,
    environment: 'node',
    include: ['e2e/**/*.e2e.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    fileParallelism: false,
  },
});
