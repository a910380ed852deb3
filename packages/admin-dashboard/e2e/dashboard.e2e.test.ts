/**
 * The dashboard in real Chromium against a running observatory:
 *
 * 1. feed a unique model's invocations through `POST /v1/events` and see them in
 *    the monitor within a second;
 * 2. filter by tenant and model (URL and form);
 * 3. open an event's trace and see its input, output and redactions;
 * 4. cut the connection between browser and server (a TCP proxy in between drops
 *    every socket and refuses new ones), feed more, restore it: every event appears
 *    once — the browser resumes with Last-Event-ID;
 * 5. axe on every view in both themes: no serious or critical violation;
 * 6. screenshots of each view to `docs/screenshots/` (or FMO_SCREENSHOT_DIR).
 *
 * Environment: FMO_BASE_URL (required, e.g. http://localhost:8000), FMO_TOKEN (a
 * user token, when the server has auth), FMO_INGEST_KEY (an ingest key for
 * FMO_E2E_TENANT; falls back to FMO_TOKEN), FMO_E2E_TENANT (default `e2e`),
 * CHROMIUM_PATH (default /usr/bin/chromium).
 */
import { randomUUID } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { newId } from '@frostbyte/contracts';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectNoSeriousA11yIssues, launchChromium } from './browser.ts';

const BASE = process.env.FMO_BASE_URL ?? '';
const TOKEN = process.env.FMO_TOKEN ?? '';
const INGEST_KEY = process.env.FMO_INGEST_KEY ?? TOKEN;
const TENANT = process.env.FMO_E2E_TENANT ?? 'e2e';
const SHOTS = process.env.FMO_SCREENSHOT_DIR ?? path.resolve(fileURLToPath(new URL('.', import.meta.url)), '../../../docs/screenshots');
// Unique per run, so parallel or repeated runs never see each other's events.
const RUN = randomUUID().slice(0, 8);
const MODEL = `e2e-model-${RUN}`;


interface Posted {
  started: string;
  completed: string;
  document: string;
}

async function postInvocation(doc: string, failed = false): Promise<Posted> {
  const invocation = newId();
  const started = newId();
  const completed = newId();
  const t0 = new Date();
  const base = {
    invocation_id: invocation,
    tenant_id: TENANT,
    document_id: doc,
    stage: 'parse',
    model_name: MODEL,
    model_version: '1.0.0',
    operation: 'parse',
  };
  const body = {
    events: [
      { ...base, id: started, status: 'started', timestamp: t0.toISOString() },
      {
        ...base,
        id: completed,
        status: failed ? 'failed' : 'completed',
        timestamp: new Date(t0.getTime() + 42).toISOString(),
        duration_ms: 42,
        input_tokens: 120,
        output_tokens: 30,
        ...(failed ? { error: { type: 'CorruptDocumentError', message: 'page 3 unreadable' } } : {}),
        trace: {
          input: { text: `Invoice ${RUN} for <PERSON_1>, contact <EMAIL_1>.` },
          output: { text: `Invoice ${RUN} for <PERSON_1>.`, label: 'invoice' },
          decision_rationale: 'Matched the invoice template.',
          confidence_score: 0.87,
        },
      },
    ],
  };
  const res = await fetch(`${BASE}/v1/events`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(INGEST_KEY ? { authorization: `Bearer ${INGEST_KEY}` } : {}) },
    body: JSON.stringify(body),
  });
  if (res.status !== 202) throw new Error(`ingest answered ${res.status}: ${await res.text()}`);
  return { started, completed, document: doc };
}

/** A TCP proxy the test can cut: the browser talks to the server through it.
 * (DevTools' offline emulation does not close an open EventSource, a real drop does.) */
async function startCuttableProxy(target: URL) {
  const sockets = new Set<net.Socket>();
  let refusing = false;
  const server = net.createServer((client) => {
    if (refusing) return void client.destroy();
    const upstream = net.connect(Number(target.port || 80), target.hostname);
    sockets.add(client);
    sockets.add(upstream);
    client.pipe(upstream).pipe(client);
    const done = () => {
      client.destroy();
      upstream.destroy();
      sockets.delete(client);
      sockets.delete(upstream);
    };
    for (const s of [client, upstream]) {
      s.on('error', done);
      s.on('close', done);
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    cut(refuseNew: boolean) {
      refusing = refuseNew;
      for (const s of sockets) s.destroy();
    },
    restore() {
      refusing = false;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

async function rowIds(page: Page): Promise<string[]> {
  return page.locator('[role=row][data-event-id]').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-event-id') ?? ''));
}


describe.skipIf(!BASE)('admin dashboard in Chromium', () => {
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let proxy: Awaited<ReturnType<typeof startCuttableProxy>>;
  const monitorUrl = `/activity?tenant_id=${TENANT}&model_name=${MODEL}`;

  beforeAll(async () => {
    mkdirSync(SHOTS, { recursive: true });
    proxy = await startCuttableProxy(new URL(BASE));
    browser = await launchChromium();
    context = await browser.newContext({ baseURL: proxy.url, viewport: { width: 1280, height: 900 } });
    if (TOKEN) await context.addInitScript((t) => sessionStorage.setItem('fmo.token', t), TOKEN);
    page = await context.newPage();
  });
  afterAll(async () => {
    await browser?.close();
    await proxy?.close();
  });

  it('shows new events in the monitor within a second, filtered by tenant and model', async () => {
    await page.goto(monitorUrl);
    await page.locator('.connection-live').waitFor();
    const posted = await postInvocation(`e2e/${RUN}/a.pdf`);
    const t0 = Date.now();
    await page.locator(`[role=row][data-event-id="${posted.completed}"]`).waitFor({ timeout: 5_000 });
    expect(Date.now() - t0).toBeLessThan(1_000);
    // Server-side filters: only this run's model, this tenant.
    const models = await page.locator('[role=row][data-event-id] [role=gridcell]:nth-child(4)').allTextContents();
    expect(new Set(models)).toEqual(new Set([`${MODEL}@1.0.0`]));
    expect(await page.getByLabel('Tenant').inputValue()).toBe(TENANT);
  });

  it('applies form filters through the URL', async () => {
    await page.goto(`/activity?tenant_id=${TENANT}`);
    await page.getByLabel('Model', { exact: true }).fill(MODEL);
    await page.getByLabel('Status', { exact: true }).selectOption('completed');
    await page.getByRole('button', { name: 'Apply filters' }).click();
    await expect.poll(() => new URL(page.url()).searchParams.get('model_name')).toBe(MODEL);
    expect(new URL(page.url()).searchParams.get('status')).toBe('completed');
    await page.locator('[role=row][data-event-id]').first().waitFor();
    const statuses = await page.locator('[role=row][data-event-id] .badge').allTextContents();
    expect(statuses.every((s) => s.includes('completed'))).toBe(true);
  });

  it('opens the trace of a clicked event with its input, output and redactions', async () => {
    const posted = await postInvocation(`e2e/${RUN}/b.pdf`);
    await page.goto(monitorUrl);
    const row = page.locator(`[role=row][data-event-id="${posted.completed}"]`);
    await row.waitFor();
    await row.click();
    await page.waitForURL(`**/trace/${posted.completed}**`);
    await page.getByRole('heading', { name: 'Input and output' }).waitFor();
    await expect.poll(() => page.locator('.payloads').textContent()).toContain(`Invoice ${RUN}`);
    expect(await page.locator('mark.redaction').count()).toBeGreaterThan(0);
    await page.getByRole('heading', { name: 'Text diff' }).waitFor();
    expect(await page.locator('meter#confidence-meter').getAttribute('value')).toBe('0.87');
    // Keyboard: back to the feed, Enter on a row opens its trace.
    await page.goto(monitorUrl);
    await page.locator('[role=row][data-event-id]').first().focus();
    await page.keyboard.press('Enter');
    await page.waitForURL('**/trace/**');
  });

  it('resumes after the stream is cut without duplicates or holes', async () => {
    await page.goto(monitorUrl);
    await page.locator('.connection-live').waitFor();
    const before = await postInvocation(`e2e/${RUN}/c.pdf`);
    await page.locator(`[role=row][data-event-id="${before.completed}"]`).waitFor();

    proxy.cut(true);
    await page
      .getByRole('status')
      .filter({ hasText: /Reconnecting|Offline/ })
      .first()
      .waitFor({ timeout: 15_000 });
    // Posted straight to the server while the browser cannot reach it.
    const during = [await postInvocation(`e2e/${RUN}/d.pdf`), await postInvocation(`e2e/${RUN}/e.pdf`, true)];
    proxy.restore();
    await page.locator('.connection-live').waitFor({ timeout: 20_000 });
    for (const p of during) await page.locator(`[role=row][data-event-id="${p.completed}"]`).waitFor({ timeout: 20_000 });
    const after = await postInvocation(`e2e/${RUN}/f.pdf`);
    await page.locator(`[role=row][data-event-id="${after.completed}"]`).waitFor();

    const ids = await rowIds(page);
    expect(ids.length).toBe(new Set(ids).size);
    for (const p of [before, ...during, after]) {
      expect(ids).toContain(p.started);
      expect(ids).toContain(p.completed);
    }
  });

  it('shows what a document cost, with the cached and reasoning parts of its tokens', async () => {
    const model = `${MODEL}-priced`;
    const auth = TOKEN ? { authorization: `Bearer ${TOKEN}` } : {};
    const pricing = { input_per_1k: 0.15, cached_input_per_1k: 0.075, output_per_1k: 0.6, reasoning_per_1k: 1.2 };
    const reg = await fetch(`${BASE}/v1/models`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...auth },
      body: JSON.stringify({ name: model, stage: 'policy', version: { version: '1', pricing, reason: 'list prices' } }),
    });
    expect(reg.status).toBe(201);
    const doc = `e2e/${RUN}/priced.pdf`;
    const event = {
      id: newId(),
      invocation_id: newId(),
      timestamp: new Date().toISOString(),
      tenant_id: TENANT,
      document_id: doc,
      stage: 'policy',
      model_name: model,
      model_version: '1',
      operation: 'classify',
      status: 'completed',
      duration_ms: 12,
      input_tokens: 1200,
      cached_input_tokens: 1024,
      output_tokens: 40,
      reasoning_tokens: 8,
    };
    const res = await fetch(`${BASE}/v1/events`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(INGEST_KEY ? { authorization: `Bearer ${INGEST_KEY}` } : {}) },
      body: JSON.stringify({ events: [event] }),
    });
    expect(res.status).toBe(202);
    await page.goto(`/costs?group_by=document&tenant_id=${TENANT}`);
    // 176 fresh × 0.15 + 1024 cached × 0.075 + 32 answer × 0.6 + 8 reasoning × 1.2, per 1k: $0.132.
    const row = page.locator(`.cost-table tr[data-key="${doc}"]`);
    await row.waitFor({ timeout: 15_000 });
    const cells = await row.locator('th, td').allTextContents();
    expect(cells).toEqual([doc, '1', '0', '1200', '1024 (85%)', '—', '40', '8 (20%)', '$0.1320', expect.stringMatching(/%$/)]);
    // Grouped by model, the same call is the priced model's row.
    await page.getByLabel('Group by').selectOption('model');
    await page.locator(`.cost-table tr[data-key="${model}@1"]`).waitFor();
    expect(new URL(page.url()).searchParams.get('group_by')).toBe('model');
  });

  it('has no serious accessibility violations on any view, in both themes, and writes screenshots', async () => {
    const posted = await postInvocation(`e2e/${RUN}/g.pdf`);
    for (const theme of ['light', 'dark'] as const) {
      await page.goto('/login');
      await page.evaluate((t) => localStorage.setItem('fmo.theme', t), theme);
      const views: [string, string][] = [
        ['activity', `/activity?tenant_id=${TENANT}`],
        ['trace', `/trace/${posted.completed}`],
        ['provenance', '/provenance'],
        ['pipeline', '/pipeline'],
        ['costs', `/costs?group_by=document&tenant_id=${TENANT}`],
        ['login', '/login'],
      ];
      for (const [name, url] of views) {
        await page.goto(url);
        await page.locator('h1').first().waitFor();
        if (name === 'activity') await page.locator('[role=row][data-event-id]').first().waitFor();
        if (name === 'trace') await page.getByRole('heading', { name: 'Input and output' }).waitFor();
        await page.waitForTimeout(500); // let charts draw
        expect(await page.evaluate(() => document.documentElement.dataset.theme)).toBe(theme);
        await expectNoSeriousA11yIssues(page, `${name} (${theme})`);
        await page.screenshot({ path: path.join(SHOTS, `${name}-${theme}.png`), fullPage: true });
      }
    }
  });
});
