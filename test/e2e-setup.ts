import os from 'node:os';
import path from 'node:path';
import type { TestProject } from 'vitest/node';
import { startServer, TEST_ADMIN_TOKEN } from '../packages/server/test/helper.ts';
import { buildDashboard } from '../scripts/build-dashboard.mjs';

/**
 * Global setup of the browser project: builds the dashboard, starts an embedded
 * observatory (PGlite + memory bus) on a free port serving that build, and hands its
 * URL and an admin token to the tests. The composition happens here, outside the
 * packages, so the dashboard never depends on the server's code.
 */
export default async function setup(project: TestProject) {
  const root = path.resolve(import.meta.dirname, '..');
  buildDashboard(); // the production build users get, whatever NODE_ENV=test says
  // Screenshots go to docs/screenshots (the README's) only when asked for, so a test
  // run leaves the checkout clean: FMO_UPDATE_SCREENSHOTS=1 npx vitest run --project browser
  process.env.FMO_SCREENSHOT_DIR ??= process.env.FMO_UPDATE_SCREENSHOTS === '1' ? path.join(root, 'docs/screenshots') : path.join(os.tmpdir(), 'fmo-screenshots');
  const server = await startServer('embedded');
  process.env.FMO_BASE_URL = server.url;
  process.env.FMO_TOKEN = TEST_ADMIN_TOKEN;
  project.provide('fmoBaseUrl', server.url);
  return async () => {
    await server.close();
  };
}

declare module 'vitest' {
  export interface ProvidedContext {
    fmoBaseUrl: string;
  }
}
