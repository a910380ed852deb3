/**
 * The model registry's dashboard side in real Chromium against a running observatory
 * (issue 6), with the real Frostbyte pipeline (`npm run pipeline -- run`) producing
 * the events, so "events carry the version" is what the pipeline actually ran:
 *
 * 1. Provenance: register a version and deploy it from the UI → the timeline shows
 *    the deploy → a pipeline run's parse events carry the new version → open the
 *    rollback preview, see its figures (invocations, error rate, p95, cost, in flight,
 *    expected cost change) → confirm → the timeline shows the rollback → the next
 *    run's events carry the old version again.
 * 2. A/B: start an experiment from the UI (50 %), run the pipeline, see results per
 *    variant with charts and the significance in words; stop it from the UI.
 * 3. Bottleneck: a fast baseline of the three stages (events stamped 10–20 min ago),
 *    then a version of the parser with `delay_ms` deployed and run → the schematic
 *    marks parse as the bottleneck with the reason in words, and an alert appears
 *    (on the stage and in the shell).
 * 4. axe (wcag2a/aa, 2.1a/aa): no serious or critical violation on the provenance
 *    and pipeline views (and the rollback dialog) in both themes.
 * Screenshots: docs/screenshots/{provenance-timeline, rollback-preview, ab-results,
 * pipeline-bottleneck}.png (or FMO_SCREENSHOT_DIR).
 *
 * Environment as e2e/dashboard.e2e.test.ts: FMO_BASE_URL, FMO_TOKEN (needs
 * registry:write and alerts:read), FMO_INGEST_KEY (falls back to FMO_TOKEN),
 * CHROMIUM_PATH. Run: `npx vitest run --project browser` (starts its own server).
 */
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectNoSeriousA11yIssues, launchChromium } from './browser.ts';

const BASE = process.env.FMO_BASE_URL ?? '';
const TOKEN = process.env.FMO_TOKEN ?? '';
const INGEST_KEY = process.env.FMO_INGEST_KEY ?? TOKEN;
const ROOT = path.resolve(fileURLToPath(new URL('.', import.meta.url)), '../../..');
const SHOTS = process.env.FMO_SCREENSHOT_DIR ?? path.join(ROOT, 'docs/screenshots');
const RUN = randomUUID().slice(0, 6);
const TENANT = `e2e6-${RUN}`;
const MODEL = 'frostbyte-docparse';
const NEW_VERSION = `1.1.0-e2e${RUN}`;
const SLOW_VERSION = `1.2.0-slow${RUN}`;

async function api<T>(method: string, p: string, body?: unknown): Promise<T> {
  const res = await fetch(`${BASE}${p}`, {
    method,
    headers: { authorization: `Bearer ${TOKEN}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (!res.ok) throw new Error(`${method} ${p} answered ${res.status}: ${await res.text()}`);
  return (await res.json()) as T;
}

/** The real pipeline over `n` bundled text documents, as a separate process (the
 * dashboard never imports the pipeline). It reads the registry at start. */
const run = promisify(execFile);
function docsDir(n: number): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'fmo-e2e6-docs-'));
  const src = path.join(ROOT, 'samples/documents');
  const texts = readdirSync(src).filter((f) => /\.(md|txt|html)$/.test(f));
  for (let i = 0; i < n; i++) {
    const f = texts[i % texts.length] as string;
    copyFileSync(path.join(src, f), path.join(dir, `${i}-${f}`));
  }
  return dir;
}
async function runPipeline(docs: number): Promise<void> {
  await run(
    process.execPath,
    [
      path.join(ROOT, 'node_modules/tsx/dist/cli.mjs'),
      path.join(ROOT, 'packages/pipeline/src/cli.ts'),
      'run',
      docsDir(docs),
      '--tenant',
      TENANT,
      '--endpoint',
      BASE,
      '--no-store',
      '--concurrency',
      '2',
    ],
    { cwd: ROOT, env: { ...process.env, FMO_API_KEY: INGEST_KEY }, timeout: 90_000 },
  );
}

interface EventRow {
  model_version: string;
  status: string;
  stage: string;
}
async function parseVersionsSince(since: string): Promise<Set<string>> {
  // The writer is asynchronous: wait until the run's parse events are stored.
  let versions = new Set<string>();
  await expect
    .poll(
      async () => {
        const r = await api<{ events: EventRow[] }>(
          'GET',
          `/v1/events?tenant_id=${TENANT}&stage=parse&status=completed&from=${encodeURIComponent(since)}&limit=200`,
        );
        versions = new Set(r.events.map((e) => e.model_version));
        return versions.size;
      },
      { timeout: 20_000, interval: 500 },
    )
    .toBeGreaterThan(0);
  return versions;
}

let seq = 0;
function uuid7(at = Date.now()): string {
  const ms = at.toString(16).padStart(12, '0');
  const rand = randomUUID().replace(/-/g, '');
  const c = (seq++ & 0xfff).toString(16).padStart(3, '0');
  return `${ms.slice(0, 8)}-${ms.slice(8)}-7${c}-8${rand.slice(0, 3)}-${rand.slice(3, 15)}`;
}

/** A fast baseline for the three model stages, stamped 10–20 minutes ago, so a
 * slowed stage stands out against its own history. */
async function postBaseline(): Promise<void> {
  const models: [string, string, string][] = [
    ['parse', 'frostbyte-docparse', '1.0.0'],
    ['embed', 'frostbyte-hash-tfidf-256', '1.0.0'],
    ['policy', 'frostbyte-policy', '1.0.0'],
  ];
  const events: unknown[] = [];
  for (let i = 0; i < 24; i++) {
    const t0 = Date.now() - 20 * 60_000 + i * 25_000;
    for (const [stage, model, version] of models) {
      const base = {
        invocation_id: uuid7(t0),
        tenant_id: TENANT,
        document_id: `baseline/${RUN}/${i}`,
        stage,
        model_name: model,
        model_version: version,
        operation: stage,
      };
      events.push({ ...base, id: uuid7(t0), status: 'started', timestamp: new Date(t0).toISOString() });
      events.push({ ...base, id: uuid7(t0 + 8), status: 'completed', timestamp: new Date(t0 + 8).toISOString(), duration_ms: 6 + (i % 5) });
    }
  }
  const res = await fetch(`${BASE}/v1/events`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${INGEST_KEY}` },
    body: JSON.stringify({ events }),
  });
  if (res.status !== 202) throw new Error(`ingest answered ${res.status}: ${await res.text()}`);
}


async function setTheme(page: Page, theme: 'light' | 'dark') {
  await page.evaluate((t) => localStorage.setItem('fmo.theme', t), theme);
}

describe.skipIf(!BASE)('provenance timeline and pipeline schematic in Chromium', () => {
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    mkdirSync(SHOTS, { recursive: true });
    browser = await launchChromium();
    const context = await browser.newContext({ baseURL: BASE, viewport: { width: 1400, height: 1000 } });
    if (TOKEN) await context.addInitScript((t) => sessionStorage.setItem('fmo.token', t), TOKEN);
    page = await context.newPage();
  });
  afterAll(async () => {
    await browser?.close();
  });

  it('deploys a new version from the UI, previews the rollback with its figures, and rolls back', async () => {
    // History for the version we will roll back to, so the preview compares figures.
    await runPipeline(4);
    await page.goto(`/provenance?model=${MODEL}`);
    await page.getByRole('heading', { name: 'Timeline' }).waitFor();
    await page.locator('[data-kind="deploy"]').first().waitFor();

    // Register, with a config edit and prices; a bad JSON is refused on the field first.
    await page.getByRole('button', { name: 'Register a version…' }).click();
    await page.getByLabel('Version', { exact: true }).fill(NEW_VERSION);
    await page.getByLabel('Configuration (JSON)').fill('{ "chunk_max_tokens": 160, ');
    await page.getByLabel('Why', { exact: true }).fill('smaller chunks for the new retrieval index');
    await page.getByRole('button', { name: 'Register version' }).click();
    await page.getByText(/Not valid JSON/).waitFor();
    await page
      .getByLabel('Configuration (JSON)')
      .fill(JSON.stringify({ chunk_max_tokens: 160, chunk_overlap_tokens: 20, tokenizer: 'cl100k_base', delay_ms: 0 }, null, 2));
    await page.getByLabel('Per call').fill('0.00004');
    await page.getByRole('button', { name: 'Register version' }).click();

    // Deploy it to every tenant, with a reason.
    const deploy = page.getByRole('form', { name: `Deploy ${MODEL}` });
    await deploy.waitFor();
    expect(await deploy.getByLabel('Version to deploy').inputValue()).toBe(NEW_VERSION);
    await deploy.getByLabel('Why').fill('ship smaller chunks');
    await deploy.getByRole('button', { name: 'Deploy', exact: true }).click();
    await deploy.waitFor({ state: 'detached' });

    const deployed = page.locator(`.provenance-item[data-kind="deploy"][data-version="${NEW_VERSION}"]`);
    await deployed.waitFor({ timeout: 15_000 });
    await expect.poll(() => deployed.textContent()).toContain('ship smaller chunks');
    // Keyboard: the newest entry is the timeline's tab stop; ↓ moves on.
    await page.locator('.provenance-item[tabindex="0"]').focus();
    expect(await page.evaluate(() => document.activeElement?.getAttribute('data-version'))).toBe(NEW_VERSION);
    await page.keyboard.press('ArrowDown');
    expect(await page.evaluate(() => document.activeElement?.getAttribute('data-index'))).toBe('1');

    // Compare the two versions: config diff + figures side by side.
    await page.getByLabel('Compare 1.0.0').check();
    await page.getByLabel(`Compare ${NEW_VERSION}`).check();
    await page.getByRole('table', { name: 'Configuration changes' }).waitFor();
    expect(await page.getByRole('table', { name: 'Configuration changes' }).textContent()).toContain('/chunk_max_tokens');
    await page.screenshot({ path: path.join(SHOTS, 'provenance-timeline.png'), fullPage: true });

    // The pipeline runs what the registry says: its parse events carry the new version.
    const t1 = new Date().toISOString();
    await runPipeline(4);
    expect([...(await parseVersionsSince(t1))]).toEqual([NEW_VERSION]);

    // Rollback preview with its figures.
    await page.getByRole('button', { name: 'Roll back…' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByTestId('rollback-figures').waitFor();
    await expect.poll(() => dialog.getByRole('heading', { level: 2 }).textContent()).toContain(`${NEW_VERSION} → 1.0.0`);
    const figures = dialog.getByTestId('rollback-figures');
    expect(await figures.textContent()).toContain('parse · every tenant');
    const invocations = await figures.locator('[data-figure="Invocations"] td').first().textContent();
    expect(Number(invocations)).toBeGreaterThan(0);
    for (const label of ['Error rate', 'p95 latency', 'Cost per call'])
      expect(await figures.locator(`[data-figure="${label}"]`).count()).toBe(1);
    expect(await dialog.getByTestId('in-flight').textContent()).toMatch(/in flight|No invocation is in flight/);
    expect(await dialog.getByTestId('cost-change').textContent()).toMatch(/^Expected cost change: /);
    await expectNoSeriousA11yIssues(page, 'rollback preview');
    await page.screenshot({ path: path.join(SHOTS, 'rollback-preview.png'), fullPage: false });

    // Cancel leaves everything as it was; Confirm rolls back.
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    await dialog.waitFor({ state: 'detached' });
    await page.getByRole('button', { name: 'Roll back…' }).click();
    await dialog.getByTestId('rollback-figures').waitFor();
    await dialog.getByRole('button', { name: 'Confirm rollback' }).click();
    await dialog.getByText(/Say why you roll back/).waitFor();
    await dialog.getByLabel('Why roll back').fill('chunks too small for the policy rules');
    await dialog.getByRole('button', { name: 'Confirm rollback' }).click();
    await dialog.waitFor({ state: 'detached' });
    const rolledBack = page.locator('.provenance-item[data-kind="rollback"][data-version="1.0.0"]');
    await rolledBack.waitFor({ timeout: 15_000 });
    expect(await rolledBack.textContent()).toContain('chunks too small for the policy rules');

    const t2 = new Date().toISOString();
    await runPipeline(3);
    expect([...(await parseVersionsSince(t2))]).toEqual(['1.0.0']);
  });

  it('starts an A/B experiment from the UI and shows its results per variant', async () => {
    await page.goto(`/provenance?model=${MODEL}`);
    await page.getByRole('button', { name: 'New experiment…' }).click();
    const form = page.getByRole('form', { name: /Start an A\/B experiment/ });
    await form.getByLabel('Name').fill(`chunks ${RUN}`);
    await form.getByLabel('Control version').selectOption('1.0.0');
    await form.getByLabel('Treatment version').selectOption(NEW_VERSION);
    await form.getByLabel('Documents to the treatment (%)').fill('50');
    await form.getByLabel('Why').fill('does chunking change the policy decisions?');
    await form.getByRole('button', { name: 'Start experiment' }).click();
    await form.waitFor({ state: 'detached' });

    await runPipeline(10);
    const results = page.locator('.ab-results');
    await results.waitFor();
    // Both variants get documents (sticky per document, 50 %), shown in the charts and in words.
    await expect
      .poll(async () => (await results.locator('.bar-chart').first().locator('.bar-value').allTextContents()).map(Number), {
        timeout: 30_000,
      })
      .toSatisfy((calls: number[]) => calls.length === 2 && calls.every((c) => c > 0));
    expect(await results.textContent()).toMatch(/Error rate: significant at 95 %\? /);
    expect(await results.textContent()).toMatch(/Latency: significant at 95 %\? /);
    expect(await results.locator('.histogram figcaption').textContent()).toMatch(/^Confidence distribution/);
    await page.screenshot({ path: path.join(SHOTS, 'ab-results.png'), fullPage: true });
    await expectNoSeriousA11yIssues(page, 'A/B results');

    await results.getByLabel('Why end it').fill('enough data');
    await results.getByRole('button', { name: 'Stop experiment' }).click();
    await page.locator('.provenance-item[data-kind="experiment_stopped"]').first().waitFor({ timeout: 15_000 });
  });

  it('marks a slowed stage as the bottleneck on the schematic and raises an alert', async () => {
    await postBaseline();
    // The knob: a parser version whose configuration slows every call by 400 ms.
    await api('POST', `/v1/models/${MODEL}/versions`, {
      version: SLOW_VERSION,
      config: { delay_ms: 400 },
      reason: 'e2e: slow the parse stage',
    });
    await api('POST', `/v1/models/${MODEL}/deployments`, { version: SLOW_VERSION, reason: 'e2e: bottleneck test' });

    await page.goto('/pipeline');
    await page.locator('.stage-node[data-stage="parse"]').waitFor();
    expect(await page.locator('.stage-node').evaluateAll((n) => n.map((x) => x.getAttribute('data-stage')))).toEqual([
      'ingest',
      'parse',
      'embed',
      'policy',
      'output',
    ]);
    await runPipeline(8);

    const parse = page.locator('.stage-node[data-stage="parse"]');
    await parse
      .locator('.stage-models')
      .getByText(/docparse 1\.2\.0-slow/)
      .waitFor({ timeout: 15_000 });
    await page.locator('.stage-node.stage-bottleneck[data-stage="parse"]').waitFor({ timeout: 20_000 });
    expect(await page.getByTestId('bottleneck').textContent()).toMatch(/Bottleneck: parse — parse p95 .* baseline/);
    // The alert, on the stage and in the shell (GET /v1/alerts and the live frame).
    await parse.locator('.stage-alerts li').first().waitFor({ timeout: 20_000 });
    await page.locator('.alerts .alert-item[data-stage="parse"]').first().waitFor({ timeout: 20_000 });
    await page.waitForTimeout(300);
    await page.screenshot({ path: path.join(SHOTS, 'pipeline-bottleneck.png'), fullPage: true });

    // Acknowledge it from the shell.
    const alertId = await page.locator('.alerts .alert-item[data-stage="parse"]').first().getAttribute('data-alert-id');
    const item = page.locator(`.alerts .alert-item[data-alert-id="${alertId}"]`);
    await item.getByRole('button', { name: /Acknowledge/ }).click();
    await expect.poll(() => item.textContent()).toContain('acknowledged');

    // A click on a stage opens the monitor filtered to it.
    await parse.locator('.stage-link').click();
    await page.waitForURL('**/activity?stage=parse**');

    // Restore the default parser for whatever runs next on this server.
    await api('POST', `/v1/models/${MODEL}/rollback`, { to_version: '1.0.0', reason: 'e2e: restore the parser' });
  });

  it('changes an alert threshold on the pipeline page, then goes back to the defaults', async () => {
    await page.goto('/pipeline');
    const panel = page.getByRole('region', { name: 'Alert rules' });
    const warning = panel.locator('tr[data-rule="error_rate_warning"]');
    await warning.waitFor();
    expect(await warning.textContent()).toMatch(/Error rate: warning at\s*10 %\s*10 %/);
    await panel.getByRole('button', { name: 'Change thresholds' }).click();
    await panel.getByLabel('Error rate: warning at').fill('4');
    await panel.getByRole('button', { name: 'Save thresholds' }).click();
    await panel.getByText(/Changed by .* ago|Changed by .* just now/).waitFor();
    expect(await warning.textContent()).toMatch(/4 %\s*\(changed\)\s*10 %/);
    expect((await api<{ rules: { error_rate_warning: number } }>('GET', '/v1/alerts/rules')).rules.error_rate_warning).toBe(0.04);

    // A value the server refuses is shown in words, and nothing changes.
    await panel.getByRole('button', { name: 'Change thresholds' }).click();
    await panel.getByLabel('Error rate: critical at').fill('1');
    await panel.getByRole('button', { name: 'Save thresholds' }).click();
    await panel.getByText(/error_rate_critical \(0\.01\) must be at least error_rate_warning \(0\.04\)/).waitFor();
    await panel.getByRole('button', { name: 'Cancel' }).click();

    await panel.getByRole('button', { name: 'Back to the defaults' }).click();
    await panel.getByText('The defaults apply.').waitFor();
    expect((await api<{ updated_at: string | null }>('GET', '/v1/alerts/rules')).updated_at).toBeNull();
  });

  it('has no serious accessibility violations on provenance and pipeline in both themes', async () => {
    for (const theme of ['light', 'dark'] as const) {
      await page.goto('/pipeline');
      await setTheme(page, theme);
      for (const [name, url] of [
        ['provenance', `/provenance?model=${MODEL}`],
        ['pipeline', '/pipeline'],
      ] as const) {
        await page.goto(url);
        if (name === 'provenance') await page.locator('.provenance-item').first().waitFor();
        else await page.locator('.stage-node').first().waitFor();
        await page.waitForTimeout(400);
        expect(await page.evaluate(() => document.documentElement.dataset.theme)).toBe(theme);
        await expectNoSeriousA11yIssues(page, `${name} (${theme})`);
      }
    }
  });
});
