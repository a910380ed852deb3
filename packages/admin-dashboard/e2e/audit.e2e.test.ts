/**
 * The Audit page (issue 15, item 5) in real Chromium against a running observatory:
 *
 * 1. three documents' invocations (with traces) go in through `POST /v1/events`;
 * 2. the user sets a purpose of access in the header and opens one trace twice in the
 *    Decision Tracer → `/audit?action=trace.read` lists the `trace.read` entry with
 *    that purpose, and the access report counts the reads (table and chart);
 * 3. entries show their chain (seq, hash prefix) and checkpoint status; details open;
 * 4. document controls: hold one document (reason), see it held, erase refused with
 *    the server's 409 words; erase another (typing its id) and see it erased — its
 *    trace is no longer readable, the other documents' are;
 * 5. Export bundle downloads the tenant's bundle (entries, proofs, checkpoints, key);
 *    "Verify <tenant>'s chain" (server rehash + signatures) says it holds;
 * 6. Load more: 60+ entries page by keyset, every seq once, no link broken;
 * 7. axe (wcag2a/aa, 2.1a/aa): no serious or critical violation, both themes
 *    (and the erase dialog); screenshots docs/screenshots/audit-{light,dark}.png
 *    (or FMO_SCREENSHOT_DIR).
 *
 * Environment as e2e/dashboard.e2e.test.ts: FMO_BASE_URL, FMO_TOKEN (needs audit:read,
 * audit:export, documents:hold, documents:erase, payloads:read: admin or compliance
 * officer), FMO_INGEST_KEY (falls back to FMO_TOKEN), CHROMIUM_PATH.
 * Run: `npx vitest run --project browser packages/admin-dashboard/e2e/audit.e2e.test.ts`.
 */
import { randomUUID } from 'node:crypto';
import { mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { newId } from '@frostbyte/contracts';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectNoSeriousA11yIssues, launchChromium } from './browser.ts';

const BASE = process.env.FMO_BASE_URL ?? '';
const TOKEN = process.env.FMO_TOKEN ?? '';
const INGEST_KEY = process.env.FMO_INGEST_KEY ?? TOKEN;
const ROOT = path.resolve(fileURLToPath(new URL('.', import.meta.url)), '../../..');
const SHOTS = process.env.FMO_SCREENSHOT_DIR ?? path.join(ROOT, 'docs/screenshots');
const RUN = randomUUID().slice(0, 6);
const TENANT = `e2e15-${RUN}`;
const PURPOSE = `DSAR 2026-114 (e2e ${RUN})`;
const DOC_READ = `contracts/${RUN}/read.pdf`;
const DOC_HOLD = `hr/${RUN}/held.docx`;
const DOC_ERASE = `hr/${RUN}/erase-me.docx`;

async function api<T>(method: string, p: string, body?: unknown): Promise<T> {
  const res = await fetch(`${BASE}${p}`, {
    method,
    headers: { authorization: `Bearer ${TOKEN}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (!res.ok) throw new Error(`${method} ${p} answered ${res.status}: ${await res.text()}`);
  return (await res.json()) as T;
}

/** One completed invocation of `doc` with a trace; returns the completed event's id. */
async function postInvocation(doc: string, tenant = TENANT): Promise<string> {
  const invocation = newId();
  const started = newId();
  const completed = newId();
  const t0 = new Date();
  const base = {
    invocation_id: invocation,
    tenant_id: tenant,
    document_id: doc,
    stage: 'policy',
    model_name: 'frostbyte-policy',
    model_version: '1.0.0',
    operation: 'classify',
  };
  const res = await fetch(`${BASE}/v1/events`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${INGEST_KEY}` },
    body: JSON.stringify({
      events: [
        { ...base, id: started, status: 'started', timestamp: t0.toISOString() },
        {
          ...base,
          id: completed,
          status: 'completed',
          timestamp: new Date(t0.getTime() + 30).toISOString(),
          duration_ms: 30,
          trace: {
            input: { text: `Employment file ${RUN} of <PERSON_1> (${doc}).` },
            output: { label: 'personal-data', text: `Contains personal data: ${doc}` },
            decision_rationale: 'HR file with a named employee.',
            confidence_score: 0.93,
          },
        },
      ],
    }),
  });
  if (res.status !== 202) throw new Error(`ingest answered ${res.status}: ${await res.text()}`);
  return completed;
}

interface EventWithTrace {
  event: { id: string };
  trace: { readable?: boolean; input: unknown } | null;
}


describe.skipIf(!BASE)('the Audit page in Chromium', () => {
  let browser: Browser;
  let page: Page;
  const ids: Record<string, string> = {};

  beforeAll(async () => {
    mkdirSync(SHOTS, { recursive: true });
    browser = await launchChromium();
    const context = await browser.newContext({ baseURL: BASE, viewport: { width: 1400, height: 1000 }, acceptDownloads: true });
    if (TOKEN) await context.addInitScript((t) => sessionStorage.setItem('fmo.token', t), TOKEN);
    page = await context.newPage();
    for (const doc of [DOC_READ, DOC_HOLD, DOC_ERASE]) ids[doc] = await postInvocation(doc);
    // The writer is asynchronous: wait until the three documents are stored.
    for (let i = 0; ; i++) {
      const stored = (await api<{ events: unknown[] }>('GET', `/v1/events?tenant_id=${TENANT}&status=completed&limit=10`)).events.length;
      if (stored === 3) break;
      if (i > 60) throw new Error(`only ${stored} of 3 events stored after 15 s`);
      await new Promise((r) => setTimeout(r, 250));
    }
  });
  afterAll(async () => {
    await browser?.close();
  });

  it('records trace reads with the purpose given in the header, and lists them with the access report', async () => {
    await page.goto(`/activity?tenant_id=${TENANT}`);
    const purpose = page.getByRole('textbox', { name: 'Purpose' });
    await purpose.fill(PURPOSE);
    await purpose.press('Enter');
    expect(await page.evaluate(() => sessionStorage.getItem('fmo.purpose'))).toBe(PURPOSE);

    // Two reads of one trace in the Decision Tracer (a reload reads it again).
    for (let i = 0; i < 2; i++) {
      await page.goto(`/trace/${ids[DOC_READ]}?tenant_id=${TENANT}`);
      await page.getByRole('heading', { name: 'Input and output' }).waitFor();
      await expect.poll(() => page.locator('.payloads').textContent()).toContain(`Employment file ${RUN}`);
    }
    // The purpose survived the navigation (session storage) and is still in the header.
    expect(await page.getByRole('textbox', { name: 'Purpose' }).inputValue()).toBe(PURPOSE);

    // The Audit page is in the navigation for this user.
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Audit' }).click();
    await page.waitForURL('**/audit**');
    await page.getByRole('heading', { name: 'Audit log', level: 2 }).waitFor();

    // Filter the log to trace.read (reads are flushed to the log about every second).
    const filters = page.getByRole('form', { name: 'Audit filters' });
    await filters.getByLabel('Action').fill('trace.read');
    await filters.getByRole('button', { name: 'Apply' }).click();
    await page.waitForURL('**action=trace.read**');
    const readRow = page.locator(`.audit-log tbody tr[data-action="trace.read"][data-tenant="${TENANT}"]`).first();
    await expect
      .poll(
        async () => {
          if (await readRow.count()) return true;
          await page.reload();
          await page.getByRole('heading', { name: 'Audit log', level: 2 }).waitFor();
          await page.waitForTimeout(500);
          return (await readRow.count()) > 0;
        },
        { timeout: 30_000, interval: 1000 },
      )
      .toBe(true);
    expect(
      await page.locator('.audit-log tbody tr[data-action]').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-action'))),
    ).toSatisfy((actions: string[]) => actions.length > 0 && actions.every((a) => a === 'trace.read'));
    expect(await readRow.textContent()).toContain(`event:${ids[DOC_READ]}`);
    // Chain and checkpoint status in words: seq, hash prefix, signed or not yet.
    expect(await readRow.locator('.chain').textContent()).toMatch(/#\d+ [0-9a-f]{12}…/);
    expect(await readRow.textContent()).toMatch(/signed|not yet signed/);
    // Details: the purpose, the document and the count of reads.
    await readRow.getByRole('button', { name: /Details/ }).click();
    const details = page.locator('.audit-details-row').first();
    await details.waitFor();
    const text = (await details.textContent()) ?? '';
    expect(text).toContain(PURPOSE);
    expect(text).toContain(DOC_READ);
    expect(await readRow.getByRole('button', { name: /Hide/ }).getAttribute('aria-expanded')).toBe('true');

    // The access report: who read what, how often, why; and the chart per person per day.
    const access = page.locator('.access-table');
    const row = access.locator('tbody tr', { hasText: PURPOSE });
    await row.first().waitFor({ timeout: 10_000 });
    const cells = await row.first().locator('td').allTextContents();
    expect(cells[1]).toBe(TENANT);
    expect(cells[2]).toBe(DOC_READ);
    expect(Number(cells[5])).toBeGreaterThanOrEqual(2);
    const report = await api<{ rows: { purpose: string | null; reads: number; actor: string }[] }>(
      'GET',
      `/v1/audit/access?tenant_id=${TENANT}`,
    );
    const mine = report.rows.filter((r) => r.purpose === PURPOSE);
    expect(mine.reduce((n, r) => n + r.reads, 0)).toBeGreaterThanOrEqual(2);
    expect(await page.locator('.reads-chart figcaption').textContent()).toMatch(/Reads per person per day/);
    expect(await page.locator('.reads-chart .reads-col').count()).toBeGreaterThan(0);
    expect(await page.locator('.reads-chart .chart-legend').textContent()).toContain(mine[0]?.actor ?? '?');
  });

  it('holds a document (erasure then refused with the server’s words) and erases another', async () => {
    await page.goto(`/audit?tenant_id=${TENANT}`);
    const controls = page.locator('.document-controls');
    const lookup = page.getByRole('form', { name: 'Look up a document' });
    expect(await lookup.getByLabel('Tenant').inputValue()).toBe(TENANT);

    // Hold.
    await lookup.getByLabel('Document id').fill(DOC_HOLD);
    await lookup.getByRole('button', { name: 'Look up' }).click();
    const held = controls.locator(`.document-card[data-document="${DOC_HOLD}"]`);
    await held.waitFor();
    expect(await held.getByTestId('document-held').textContent()).toContain('not held');
    await held.getByRole('button', { name: 'Put under legal hold' }).click();
    await held.getByText(/Say why the document is held/).waitFor();
    await held.getByLabel('Reason for the hold').fill(`litigation ${RUN}`);
    await held.getByRole('button', { name: 'Put under legal hold' }).click();
    await expect.poll(() => held.getByTestId('document-held').textContent()).toMatch(new RegExp(`held.*since.*litigation ${RUN}`));
    expect((await api<{ held: boolean }>('GET', `/v1/documents/${encodeURIComponent(DOC_HOLD)}?tenant_id=${TENANT}`)).held).toBe(true);

    // Erasing a held document: the dialog, then the server's 409 as it says it.
    await held.getByRole('button', { name: 'Erase…' }).click();
    let dialog = page.getByRole('dialog', { name: `Erase document ${DOC_HOLD}` });
    await dialog.waitFor();
    const confirm = dialog.getByRole('button', { name: 'Erase for good' });
    expect(await confirm.isDisabled()).toBe(true);
    await dialog.getByLabel('Type the document id to confirm').fill(DOC_HOLD);
    expect(await confirm.isDisabled()).toBe(false);
    await confirm.click();
    await dialog.getByRole('alert').waitFor();
    expect(await dialog.getByRole('alert').textContent()).toMatch(
      /under legal hold since .*release the hold before erasing it \(HTTP 409\)/,
    );
    await expectNoSeriousA11yIssues(page, 'erase dialog');
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'detached' });
    expect((await api<EventWithTrace>('GET', `/v1/events/${ids[DOC_HOLD]}`)).trace?.input).not.toBeNull();

    // Erase another document, typing its id.
    await lookup.getByLabel('Document id').fill(DOC_ERASE);
    await lookup.getByRole('button', { name: 'Look up' }).click();
    const gone = controls.locator(`.document-card[data-document="${DOC_ERASE}"]`);
    await gone.waitFor();
    expect(await gone.getByTestId('document-erased').textContent()).toContain('payloads readable');
    await gone.getByRole('button', { name: 'Erase…' }).click();
    dialog = page.getByRole('dialog', { name: `Erase document ${DOC_ERASE}` });
    await dialog.getByLabel('Type the document id to confirm').fill(`${DOC_ERASE.slice(0, -1)}`);
    expect(await dialog.getByRole('button', { name: 'Erase for good' }).isDisabled()).toBe(true);
    await dialog.getByLabel('Type the document id to confirm').fill(DOC_ERASE);
    await dialog.getByRole('button', { name: 'Erase for good' }).click();
    await dialog.waitFor({ state: 'detached' });
    await expect.poll(() => gone.getByTestId('document-erased').textContent()).toMatch(/erased on/);
    expect(await gone.getByRole('status').textContent()).toMatch(/Erased: \d+ events, \d+ trace payloads/);

    // The erased document's trace is unreadable; the held one's still reads.
    const erasedTrace = await api<EventWithTrace>('GET', `/v1/events/${ids[DOC_ERASE]}`);
    expect(erasedTrace.trace?.readable).toBe(false);
    expect(erasedTrace.trace?.input ?? null).toBeNull();
    expect((await api<EventWithTrace>('GET', `/v1/events/${ids[DOC_HOLD]}`)).trace?.input).not.toBeNull();

    // Both actions are in the log.
    await page.goto(`/audit?tenant_id=${TENANT}`);
    await page.locator('.audit-log tbody tr[data-action="document.erase"]').first().waitFor();
    await page.locator('.audit-log tbody tr[data-action="document.hold"]').first().waitFor();
  });

  it('exports the tenant’s bundle with one click', async () => {
    await page.goto(`/audit?tenant_id=${TENANT}`);
    const form = page.getByRole('form', { name: 'Export an audit bundle' });
    expect(await form.getByLabel('Bundle of tenant').inputValue()).toBe(TENANT);
    const [download] = await Promise.all([page.waitForEvent('download'), form.getByRole('button', { name: 'Export bundle' }).click()]);
    expect(download.suggestedFilename()).toMatch(new RegExp(`^audit-bundle-${TENANT}-\\d{4}-\\d{2}-\\d{2}\\.json$`));
    const file = await download.path();
    const bundle = JSON.parse(readFileSync(file, 'utf8')) as {
      format: string;
      tenant_id: string;
      entries: { action: string }[];
      checkpoints: string[];
      proofs: unknown[];
      verifier_key: string;
    };
    expect(bundle.format).toBe('fmo-audit-bundle/v1');
    expect(bundle.tenant_id).toBe(TENANT);
    // What this run did is in it: the reads, the hold, the erasure and this export.
    expect(new Set(bundle.entries.map((e) => e.action))).toEqual(
      new Set(['events.batch', 'trace.read', 'document.hold', 'document.erase', 'audit.export']),
    );
    expect(bundle.checkpoints.length).toBeGreaterThan(0);
    expect(bundle.proofs.length).toBe(6);
    expect(bundle.verifier_key).toMatch(/^frostbyte-audit\+/);
    await form.getByRole('status').waitFor();
    // The export is itself audited.
    await page.locator('.audit-log tbody tr[data-action="audit.export"]').first().waitFor({ timeout: 10_000 });

    // The whole chain, rehashed by the server, after the reads, the hold, the erasure and the export.
    await page.getByRole('button', { name: `Verify ${TENANT}'s chain` }).click();
    await expect
      .poll(() => page.locator('.verify-result').textContent(), { timeout: 10_000 })
      .toMatch(new RegExp(`✓ ${TENANT}: \\d+ entries rehashed, \\d+ signed checkpoints valid`));
  });

  it('pages through the log with Load more (keyset), each entry once', async () => {
    // A tenant of its own (the main one stays readable in the screenshots): one document,
    // then 30 holds and releases, 60 more entries than one page (50) holds.
    const paged = `${TENANT}-p`;
    const doc = `paging/${RUN}.pdf`;
    await postInvocation(doc, paged);
    for (let i = 0; ; i++) {
      const res = await fetch(`${BASE}/v1/documents/${encodeURIComponent(doc)}?tenant_id=${paged}`, {
        headers: { authorization: `Bearer ${TOKEN}` },
      });
      if (res.ok) break;
      if (i > 60) throw new Error(`document ${doc} not stored after 15 s`);
      await new Promise((r) => setTimeout(r, 250));
    }
    for (let i = 0; i < 30; i++) {
      await api('POST', `/v1/documents/${encodeURIComponent(doc)}/hold`, { tenant_id: paged, reason: `paging ${i}` });
      await api('POST', `/v1/documents/${encodeURIComponent(doc)}/release`, { tenant_id: paged });
    }
    await page.goto(`/audit?tenant_id=${paged}`);
    const rows = page.locator('.audit-log tbody tr[data-seq]');
    await expect.poll(() => rows.count()).toBe(50);
    const more = page.getByRole('button', { name: 'Load more' });
    await more.click();
    await expect.poll(() => rows.count(), { timeout: 10_000 }).toBeGreaterThan(50);
    await more.waitFor({ state: 'detached' });
    const seqs = (await rows.evaluateAll((r) => r.map((x) => Number(x.getAttribute('data-seq'))))) as number[];
    // Newest first, every seq of the tenant's chain exactly once, down to 1.
    expect(seqs).toEqual(Array.from({ length: seqs.length }, (_, i) => seqs.length - i));
    expect(await page.getByText('That is all of them.').count()).toBe(1);
    // With the whole chain loaded, every link is checked on the page: none broken.
    expect(await page.locator('.audit-log .chain-broken').count()).toBe(0);
    expect(await page.locator('.audit-log .chain-unknown').count()).toBe(0);
  });

  it('has no serious accessibility violations in both themes; screenshots', async () => {
    for (const theme of ['light', 'dark'] as const) {
      await page.evaluate((t) => localStorage.setItem('fmo.theme', t), theme);
      await page.goto(`/audit?tenant_id=${TENANT}`);
      await page.locator('.audit-log tbody tr').first().waitFor();
      await page.locator('.access-table').waitFor();
      // Show one entry's details and a document's controls in the picture.
      await page
        .locator('.audit-log tbody tr[data-action="trace.read"]', { hasText: ids[DOC_READ] as string })
        .first()
        .getByRole('button', { name: /Details/ })
        .click();
      const lookup = page.getByRole('form', { name: 'Look up a document' });
      await lookup.getByLabel('Document id').fill(DOC_HOLD);
      await lookup.getByRole('button', { name: 'Look up' }).click();
      await page.locator(`.document-card[data-document="${DOC_HOLD}"]`).waitFor();
      // From the top: the sticky header would otherwise be drawn where the page was scrolled to.
      await page.evaluate(() => window.scrollTo(0, 0));
      await page.waitForTimeout(300);
      expect(await page.evaluate(() => document.documentElement.dataset.theme)).toBe(theme);
      await expectNoSeriousA11yIssues(page, `audit (${theme})`);
      await page.screenshot({ path: path.join(SHOTS, `audit-${theme}.png`), fullPage: true });
    }
  });
});
