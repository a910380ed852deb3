/**
 * The decision tracer on an OTLP call, in real Chromium against a running observatory:
 * spans recorded from the real Vercel AI SDK (packages/server/test/otlp-fixtures, data
 * only) are posted to `POST /v1/traces` under fresh trace ids; the tracer of the tool
 * round-trip call shows its messages as a conversation (system, user, assistant with
 * its tool call, tool result, the answer), the span tree around the call, the cached
 * and reasoning tokens, and passes axe.
 *
 * Environment: as dashboard.e2e.test.ts (FMO_BASE_URL, FMO_TOKEN, FMO_E2E_TENANT, CHROMIUM_PATH).
 */
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectNoSeriousA11yIssues, launchChromium } from './browser.ts';

const BASE = process.env.FMO_BASE_URL ?? '';
const TOKEN = process.env.FMO_TOKEN ?? '';
const TENANT = process.env.FMO_E2E_TENANT ?? 'e2e';
const FIXTURE = path.resolve(fileURLToPath(new URL('.', import.meta.url)), '../../server/test/otlp-fixtures/vercel-ai.json');

// biome-ignore lint/suspicious/noExplicitAny: OTLP/JSON as recorded
type Json = any;
const auth: Record<string, string> = TOKEN ? { authorization: `Bearer ${TOKEN}` } : {};

/** The recorded export under new trace ids, this tenant, and times shifted to now. */
function freshExport(): { body: Json; traceIds: Set<string> } {
  const body = JSON.parse(readFileSync(FIXTURE, 'utf8'));
  const ids = new Map<string, string>();
  let latest = 0n;
  for (const rs of body.resourceSpans)
    for (const ss of rs.scopeSpans)
      for (const s of ss.spans) latest = BigInt(s.endTimeUnixNano) > latest ? BigInt(s.endTimeUnixNano) : latest;
  const shift = BigInt(Date.now()) * 1_000_000n - latest;
  for (const rs of body.resourceSpans) {
    rs.resource.attributes = [...(rs.resource.attributes ?? []), { key: 'frostbyte.tenant_id', value: { stringValue: TENANT } }];
    for (const ss of rs.scopeSpans)
      for (const s of ss.spans) {
        if (!ids.has(s.traceId)) ids.set(s.traceId, randomBytes(16).toString('hex'));
        s.traceId = ids.get(s.traceId);
        s.startTimeUnixNano = String(BigInt(s.startTimeUnixNano) + shift);
        s.endTimeUnixNano = String(BigInt(s.endTimeUnixNano) + shift);
      }
  }
  return { body, traceIds: new Set(ids.values()) };
}

async function getJson(url: string): Promise<Json> {
  const r = await fetch(`${BASE}${url}`, { headers: auth });
  if (!r.ok) throw new Error(`${url} answered ${r.status}`);
  return r.json();
}

describe.skipIf(!BASE)('decision tracer on an OTLP call (Chromium)', () => {
  let browser: Browser;
  let page: Page;
  let eventId = '';

  beforeAll(async () => {
    const { body, traceIds } = freshExport();
    const r = await fetch(`${BASE}/v1/traces`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...auth },
      body: JSON.stringify(body),
    });
    if (r.status !== 200) throw new Error(`OTLP answered ${r.status}: ${await r.text()}`);
    // The weather call that answers after the tool result.
    for (let i = 0; i < 100 && !eventId; i++) {
      const { events } = await getJson(`/v1/events?tenant_id=${TENANT}&status=completed&limit=200`);
      for (const e of events.filter((x: Json) => traceIds.has(x.metadata.trace_id) && x.metadata.entity === 'weather')) {
        const { trace } = await getJson(`/v1/events/${e.id}`);
        if (trace?.input?.messages?.some((m: Json) => m.role === 'tool')) eventId = e.id;
      }
      if (!eventId) await new Promise((res) => setTimeout(res, 100));
    }
    if (!eventId) throw new Error('the OTLP call was not stored');
    browser = await launchChromium();
    const context = await browser.newContext({ baseURL: BASE, viewport: { width: 1280, height: 900 } });
    if (TOKEN) await context.addInitScript((t) => sessionStorage.setItem('fmo.token', t), TOKEN);
    page = await context.newPage();
  });
  afterAll(async () => {
    await browser?.close();
  });

  it('shows the messages as a conversation and the span tree around the call', async () => {
    await page.goto(`/trace/${eventId}`);
    const conversation = page.getByRole('list', { name: 'Conversation' });
    await conversation.waitFor().catch(async (e) => {
      throw new Error(`${e}\n${((await page.locator('body').textContent()) ?? '').slice(0, 3000)}`);
    });
    const bubbles = conversation.getByRole('listitem');
    const labels = await bubbles.evaluateAll((items) =>
      items.filter((li) => li.parentElement?.getAttribute('aria-label') === 'Conversation').map((li) => li.getAttribute('aria-label')),
    );
    expect(labels).toEqual(['User message', 'Assistant message', 'Tool result message', 'Assistant message (answer)']);
    await expect.poll(() => page.getByRole('listitem', { name: 'Tool result message' }).textContent()).toContain('{"celsius":3}');
    expect(await page.getByLabel('Tool call get_weather').textContent()).toContain('get_weather');
    expect(await page.getByRole('listitem', { name: 'Assistant message (answer)' }).textContent()).toContain('It is 3 °C in Oslo.');
    // The JSON stays one click away.
    expect(await page.getByText('Input and output as JSON').count()).toBe(1);

    const tree = page.getByRole('navigation', { name: 'Span tree' });
    const levels = await tree.locator('.span-name').allTextContents();
    expect(levels).toEqual(['workflow invoice-summary', 'ai.generateText', 'ai.generateText.doGenerate']);
    expect(await tree.locator('[aria-current=true] > .span-name').first().textContent()).toBe('ai.generateText.doGenerate');

    const facts = await page.locator('.facts').textContent();
    expect(facts).toContain('Cached input tokens');
    expect(facts).toContain('Reasoning tokens');

    await expectNoSeriousA11yIssues(page, 'trace (OTLP conversation)');
    await page.screenshot({ path: path.join(process.env.FMO_SCREENSHOT_DIR ?? '/tmp', 'trace-otlp-conversation.png'), fullPage: true });
  });
});
