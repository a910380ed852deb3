import zlib from 'node:zlib';
import { newId } from '@frostbyte/contracts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fetch, makeEvent, postEvents, startServer, getJson, json } from '../helper.ts';

/** The ingest and read API of an embedded server, over real HTTP. */
describe('ingest and history API (embedded)', () => {
  let s: Awaited<ReturnType<typeof startServer>>;
  beforeAll(async () => {
    s = await startServer('embedded');
  }, 60_000);
  afterAll(() => s?.close());

  it('answers the spec\'s telemetry check and readiness', async () => {
    const t = await getJson(`${s.url}/telemetry/test`);
    expect(t.status).toBe('ok');
    const r = await fetch(`${s.url}/readyz`);
    expect(r.status).toBe(200);
    expect((await json(r)).db).toBe('ok');
  });

  it('accepts the valid items of a mixed batch and names what is wrong with the others', async () => {
    const good = makeEvent({ tenant_id: 'mixed' });
    const res = await postEvents(s.url, [
      good,
      { ...makeEvent(), status: 'done' },
      { ...makeEvent(), unknown_field: 1 },
      { ...makeEvent(), tenant_id: undefined },
      { ...makeEvent(), id: 'not-a-uuid' },
      { ...makeEvent(), timestamp: '2001-01-01T00:00:00Z' },
      { ...makeEvent(), trace: { confidence_score: 7 } },
    ]);
    expect(res.status).toBe(202);
    expect(res.body.accepted_ids).toEqual([good.id]);
    const rejected = res.body.rejected as { index: number; errors: { path: string; message: string }[] }[];
    expect(rejected.map((r) => [r.index, r.errors[0]?.path])).toEqual([
      [1, '/status'],
      [2, '/unknown_field'],
      [3, '/tenant_id'],
      [4, '/id'],
      [5, '/timestamp'],
      [6, '/trace/confidence_score'],
    ]);
  });

  it('is idempotent: a replayed batch creates no duplicates', async () => {
    const batch = [makeEvent({ tenant_id: 'replay' }), makeEvent({ tenant_id: 'replay' })];
    const first = await postEvents(s.url, batch);
    const again = await postEvents(s.url, batch);
    expect(first.body.duplicates).toBe(0);
    expect(again.body.duplicates).toBe(2);
    expect(again.body.accepted_ids).toEqual(batch.map((e) => e.id));
    const list = await getJson(`${s.url}/v1/events?tenant_id=replay`);
    expect(list.events).toHaveLength(2);
  });

  it('rejects malformed bodies with a 4xx that says what to fix, and stays up', async () => {
    const post = (body: string | Buffer, headers: Record<string, string> = { 'content-type': 'application/json' }) =>
      fetch(`${s.url}/v1/events`, { method: 'POST', headers, body });
    const cases: [Promise<Response>, number, RegExp][] = [
      [post('{"events": ['), 400, /JSON/i],
      [post('{"events": []}'), 400, /events.*(fewer|at least|1)/i],
      [post('{"nope": 1}'), 400, /events|additional/i],
      [post(JSON.stringify({ events: Array.from({ length: 5001 }, () => ({})) })), 400, /5000/],
      [post(Buffer.alloc(11 * 1024 * 1024, 32)), 413, /10 MiB/],
      [post('garbage', { 'content-type': 'application/json', 'content-encoding': 'gzip' }), 400, /gzip/],
      [post('x', { 'content-type': 'text/plain' }), 415, /application\/json/],
      [post(JSON.stringify({ events: [{ bad: true }] })), 400, /no event accepted/],
    ];
    for (const [p, status, msg] of cases) {
      const r = await p;
      const body = await json(r);
      expect([r.status, body.message]).toEqual([status, expect.stringMatching(msg)]);
    }
    expect((await fetch(`${s.url}/healthz`)).status).toBe(200);
  });

  it('takes gzip batches (what the SDK sends)', async () => {
    const e = makeEvent({ tenant_id: 'gz' });
    const r = await fetch(`${s.url}/v1/events`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'content-encoding': 'gzip' },
      body: zlib.gzipSync(JSON.stringify({ events: [e] })),
    });
    expect(r.status).toBe(202);
    expect((await json(r)).accepted_ids).toEqual([e.id]);
  });

  it('reads an event with its trace, its invocation and the document journey', async () => {
    const inv = newId();
    const doc = `journey-${newId()}`;
    const started = makeEvent({ tenant_id: 'jr', invocation_id: inv, document_id: doc, status: 'started', duration_ms: undefined });
    const done = makeEvent({
      tenant_id: 'jr',
      invocation_id: inv,
      document_id: doc,
      trace: { input: { text: 'Contact jane.doe@example.com' }, output: { label: 'hr' }, decision_rationale: 'keyword match', confidence_score: 0.8 },
    });
    const embed = makeEvent({ tenant_id: 'jr', document_id: doc, stage: 'embed', model_name: 'frostbyte-hash-tfidf-256' });
    await postEvents(s.url, [started, done, embed]);
    const one = await getJson(`${s.url}/v1/events/${done.id}`);
    expect(one.trace.input).toEqual({ text: 'Contact <EMAIL_1>' });
    expect(one.trace.redactions).toEqual({ EMAIL: 1 });
    expect(one.trace.decision_rationale).toBe('keyword match');
    const invocation = await getJson(`${s.url}/v1/invocations/${inv}`);
    expect(invocation.events.map((e: { status: string }) => e.status)).toEqual(['started', 'completed']);
    const journey = await getJson(`${s.url}/v1/documents/${doc}/events`);
    expect(journey.events.map((e: { stage: string }) => e.stage)).toEqual(['parse', 'parse', 'embed']);
    expect((await fetch(`${s.url}/v1/events/${newId()}`)).status).toBe(404);
    expect((await fetch(`${s.url}/v1/events/not-an-id`)).status).toBe(400);
  });

  it('rejects a bad cursor and a bad Last-Event-ID with a message', async () => {
    const c = await fetch(`${s.url}/v1/events?cursor=abc`);
    expect([c.status, (await json(c)).message]).toEqual([400, expect.stringMatching(/next_cursor/)]);
    const l = await fetch(`${s.url}/telemetry/stream`, { headers: { 'last-event-id': 'yesterday' } });
    expect([l.status, (await json(l)).message]).toEqual([400, expect.stringMatching(/stream position/)]);
  });

  it('publishes OpenAPI with the event schema and Prometheus metrics', async () => {
    const doc = await getJson(`${s.url}/openapi.json`);
    expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining(['/v1/events', '/telemetry/stream', '/v1/metrics/summary', '/v1/events/{id}']));
    const m = await (await fetch(`${s.url}/metrics`)).text();
    expect(m).toMatch(/fmo_ingest_events_total\{result="accepted"\} \d+/);
    expect(m).toMatch(/fmo_sse_clients/);
  });
});
