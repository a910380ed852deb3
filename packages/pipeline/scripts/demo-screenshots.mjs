#!/usr/bin/env node
// Screenshots of a running demo (`npm start`) in real Chromium, for the README and to
// check by eye what the story left on each page:
//
//   FMO_ADMIN_TOKEN=… npm start            # in one terminal (the token it will accept)
//   FMO_ADMIN_TOKEN=… node packages/pipeline/scripts/demo-screenshots.mjs [base URL] [out dir]
//
// Base URL defaults to http://127.0.0.1:${PORT:-8000}; the Provenance page goes to
// docs/screenshots/provenance-demo.png, the other pages to the out dir (default a
// temporary one) as demo-<page>.png. Logs in as the dashboard does (the token in
// sessionStorage), so the token needs registry:read, alerts:read and events:read.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium } from 'playwright-core';

const root = path.resolve(import.meta.dirname, '../../..');
const base = process.argv[2] ?? `http://127.0.0.1:${process.env.PORT ?? 8000}`;
const outDir = process.argv[3] ?? fs.mkdtempSync(path.join(os.tmpdir(), 'fmo-demo-shots-'));
const token = process.env.FMO_ADMIN_TOKEN ?? process.env.FMO_TOKEN;
if (!token) throw new Error('set FMO_ADMIN_TOKEN (or FMO_TOKEN) to the token the server accepts');

const pages = [
  ['provenance', '/provenance?model=frostbyte-docparse', path.join(root, 'docs/screenshots/provenance-demo.png')],
  ['pipeline', '/pipeline'],
  ['activity', '/activity'],
  ['activity-failed', '/activity?tenant_id=globex&status=failed'],
  ['provenance-embedder', '/provenance?model=nomic-embed-text'],
];

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
  args: [
    '--no-sandbox',
    '--disable-gpu',
    '--disable-quic',
    '--no-first-run',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
  ],
});
try {
  const context = await browser.newContext({ baseURL: base, viewport: { width: 1280, height: 900 } });
  await context.addInitScript((t) => sessionStorage.setItem('fmo.token', t), token);
  const page = await context.newPage();
  for (const [name, url, file] of pages) {
    await page.goto(url);
    await page.waitForLoadState('networkidle').catch(() => undefined);
    await page.waitForTimeout(1500);
    const target = file ?? path.join(outDir, `demo-${name}.png`);
    fs.mkdirSync(path.dirname(target), { recursive: true });
    await page.screenshot({ path: target, fullPage: true });
    console.log(`${name}: ${target}`);
  }
} finally {
  await browser.close();
}
