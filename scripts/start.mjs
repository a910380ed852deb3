#!/usr/bin/env node
// `npm start`: the whole product in one process (embedded mode unless DATABASE_URL /
// REDIS_URL say otherwise). It builds the dashboard when its build is missing or
// older than its sources, starts the server, then the demo pipeline feeding two
// tenants (`--no-demo` or FMO_DEMO=0 turns that off).
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { register } from 'tsx/esm/api';
import { buildDashboard } from './build-dashboard.mjs';

const root = path.resolve(import.meta.dirname, '..');
const args = new Set(process.argv.slice(2));
if (args.has('--no-demo')) process.env.FMO_DEMO = '0';

function newest(dir) {
  let t = 0;
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    t = Math.max(t, e.isDirectory() ? newest(p) : fs.statSync(p).mtimeMs);
  }
  return t;
}

const dash = path.join(root, 'packages/admin-dashboard');
const built = path.join(dash, 'dist/index.html');
if (fs.existsSync(path.join(dash, 'index.html')) && !args.has('--no-build')) {
  const stale = !fs.existsSync(built) || fs.statSync(built).mtimeMs < newest(path.join(dash, 'src'));
  if (stale) {
    console.log('building the dashboard…');
    buildDashboard();
  }
}

register();
const demo = !['0', 'false', 'no', 'off'].includes(String(process.env.FMO_DEMO ?? '1').toLowerCase());
// The demo feeder authenticates as automation (FMO_ADMIN_TOKEN) with a random token
// that lives only in this process's environment; nothing is printed or stored.
if (demo && !process.env.FMO_ADMIN_TOKEN) process.env.FMO_ADMIN_TOKEN = `fmo_demo_${randomBytes(24).toString('base64url')}`;

let stopDemo = null;
const { main } = await import('../packages/server/src/main.ts');
const app = await main({}, { beforeStop: async () => stopDemo?.() });

if (demo) {
  const demoModule = path.join(root, 'packages/pipeline/src/demo.ts');
  if (fs.existsSync(demoModule)) {
    const { startDemo } = await import(demoModule);
    const port = app.server.address().port;
    stopDemo = await startDemo({
      endpoint: `http://127.0.0.1:${port}`,
      apiKey: process.env.FMO_ADMIN_TOKEN,
      tenants: ['acme', 'globex'],
      log: app.log,
    });
    app.log.info('demo pipeline running for tenants acme and globex (FMO_DEMO=0 or --no-demo to turn it off)');
  }
}
