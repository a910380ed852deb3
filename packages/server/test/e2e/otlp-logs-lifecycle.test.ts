import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_HEADERS, fetch, getJson, type Json, startServer, uniq, until } from '../helper.ts';

/**
 * GenAI content received as OTLP logs lives beside the decision traces (joined to its
 * span's event on read), so it must share their lifecycle: a document's erasure deletes
 * it, retention deletes it past the window, and a legal hold keeps it. Embedded mode.
 */
const DAY = 86_400_000;

describe('OTLP log content: erasure, retention and legal hold (embedded)', () => {
  let s: Awaited<ReturnType<typeof startServer>>;
  beforeAll(async () => {
    s = await startServer('embedded');
  }, 120_000);
  afterAll(() => s?.close());

  const tenant = uniq('loglife');
  const post = async (path: string, body: unknown) => {
    const r = await fetch(`${s.url}${path}`, {
      method: 'POST',
      headers: { ...ADMIN_HEADERS, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    return { status: r.status, body: (await r.json().catch(() => null)) as Json };
  };
  const resource = { attributes: [{ key: 'frostbyte.tenant_id', value: { stringValue: tenant } }] };

  /** A content-free GenAI span of `document` and, as a log, the user's message; returns the completed event id. */
  async function callWithLog(document: string, text: string): Promise<string> {
    const traceId = randomBytes(16).toString('hex');
    const spanId = randomBytes(8).toString('hex');
    const now = BigInt(Date.now()) * 1_000_000n;
    const span = await post('/v1/traces', {
      resourceSpans: [
        {
          resource,
          scopeSpans: [
            {
              spans: [
                {
                  traceId,
                  spanId,
                  name: 'chat m',
                  startTimeUnixNano: String(now - 5_000_000n),
                  endTimeUnixNano: String(now),
                  attributes: [
                    { key: 'gen_ai.operation.name', value: { stringValue: 'chat' } },
                    { key: 'gen_ai.request.model', value: { stringValue: 'log-life-model' } },
                    { key: 'frostbyte.document_id', value: { stringValue: document } },
                  ],
                },
              ],
            },
          ],
        },
      ],
    });
    expect(span.status, JSON.stringify(span.body)).toBe(200);
    const log = await post('/v1/logs', {
      resourceLogs: [
        {
          resource,
          scopeLogs: [
            {
              logRecords: [
                {
                  timeUnixNano: String(now),
                  eventName: 'gen_ai.user.message',
                  body: { kvlistValue: { values: [{ key: 'content', value: { stringValue: text } }] } },
                  traceId,
                  spanId,
                },
              ],
            },
          ],
        },
      ],
    });
    expect(log.status, JSON.stringify(log.body)).toBe(200);
    const { events } = await until(
      () => getJson(`${s.url}/v1/documents/${document}/events`),
      (r: Json) => r.events.some((e: Json) => e.status === 'completed'),
    );
    return events.find((e: Json) => e.status === 'completed').id;
  }
  const content = async (id: string) => JSON.stringify((await getJson(`${s.url}/v1/events/${id}`)).trace?.input ?? null);
  const logRows = async () =>
    Number((await s.app.db.query<{ n: string }>('SELECT count(*) AS n FROM otlp_log_contents WHERE tenant_id = $1', [tenant])).rows[0]?.n);

  it("erasing a document deletes its spans' log content; another document's stays readable", async () => {
    const gone = await callWithLog(uniq('erase-'), 'erase me please');
    const kept = await callWithLog(uniq('keep-'), 'keep me please');
    expect(await content(gone)).toContain('erase me please');
    expect(await logRows()).toBe(2);
    const doc = (await getJson(`${s.url}/v1/events/${gone}`)).event.document_id;
    const r = await post(`/v1/documents/${doc}/erase`, { tenant_id: tenant, confirm: true });
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    expect(r.body).toMatchObject({ erased_logs: 1 });
    expect(await logRows()).toBe(1);
    expect(await content(gone)).not.toContain('erase me');
    expect(await content(kept)).toContain('keep me please');
  });

  it('retention deletes log content past the window, except a held document’s; after release it goes too', async () => {
    const heldDoc = uniq('held-');
    const held = await callWithLog(heldDoc, 'held for litigation');
    const before = await logRows(); // kept (from the first test) + held
    expect((await post(`/v1/documents/${heldDoc}/hold`, { tenant_id: tenant, reason: 'litigation' })).status).toBe(200);
    const now = Date.now();
    const first = await s.app.retention.run(new Date(now + 31 * DAY));
    expect(first.otlp_logs_deleted).toBeGreaterThanOrEqual(before - 1);
    expect(await logRows()).toBe(1); // only the held document's
    expect(await content(held)).toContain('held for litigation');
    expect((await post(`/v1/documents/${heldDoc}/release`, { tenant_id: tenant })).status).toBe(200);
    const second = await s.app.retention.run(new Date(now + 32 * DAY));
    expect(second.otlp_logs_deleted).toBeGreaterThanOrEqual(1);
    expect(await logRows()).toBe(0);
  });
});
