/**
 * Builds the dashboard (packages/admin-dashboard → dist/) as users get it: always with
 * NODE_ENV=production, whatever the caller's environment says — under a test runner
 * (NODE_ENV=test) Vite would give React's development build, several times slower, and
 * leave it in dist/ for the next `npm start`.
 *
 *   node scripts/build-dashboard.mjs        (npm run build:dashboard)
 * or import { buildDashboard } from it (npm start, the browser tests, the dashboard bench).
 */
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

export function buildDashboard() {
  execFileSync(process.execPath, [path.join(root, 'node_modules/vite/bin/vite.js'), 'build', path.join(root, 'packages/admin-dashboard'), '--logLevel', 'warn'], {
    stdio: 'inherit',
    cwd: root,
    env: { ...process.env, NODE_ENV: 'production' },
  });
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) buildDashboard();
