import { MemoryExporter, TelemetrySdk } from '@frostbyte/telemetry';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fetch, getJson, type Json, makeEvent, postEvents, startServer, uniq, until } from '../helper.ts';

/**
 * Users' own recognizers and allow-list terms (issue 14, item 3), through the real
 * server: created over the API (audited), applied by ingest to one tenant only,
 * served to the SDK by GET /v1/redaction/config, refused with a 400 when a pattern
 * is not linear-time RE2, and kept apart per tenant (an ingest key sees its own).
 */
for (const mode of ['embedded', 'server'] as const) {
  describe(`custom recognizers end to end (${mode})`, () => {
    let s: Awaited<ReturnType<typeof startServer>>;
    beforeAll(async () => {
      s = await startServer(mode);
    }, 90_000);
    afterAll(() => s?.close());

    const post = (path: string, body: unknown, headers: Record<string, string> = {}) =>
      fetch(`${s.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
    const stored = (id: string) =>
      until(
        () => getJson(`${s.url}/v1/events/${id}`),
        (r: Json) => Boolean(r.event),
      );
    const ingestKey = async (tenant: string) => {
      const r = await post('/v1/admin/keys', { tenant });
      expect(r.status).toBe(201);
      return ((await r.json()) as { key: string }).key;
    };

    it('redacts EMP-123456 for the tenant that added the recognizer, not for another, and keeps an allow-listed term', async () => {
      const a = uniq('rca');
      const b = uniq('rcb');
      const created = await post('/v1/recognizers', { tenant_id: a, name: 'employee-id', pattern: 'EMP-[0-9]{6}', context: [] });
      expect(created.status).toBe(201);
      const rec = (await created.json()) as { id: string; entity: string };
      expect(rec.entity).toBe('CUSTOM');
      const allowed = await post('/v1/redaction/allow', { tenant_id: a, term: 'Grace Hopper' });
      expect(allowed.status).toBe(201);

      const text = 'EMP-123456 asked Grace Hopper to mail ada@example.com';
      const ea = makeEvent({
        tenant_id: a,
        trace: { input: { text }, output: { label: 'hr' }, decision_rationale: 'by EMP-123456', confidence_score: 0.9 },
      });
      const eb = makeEvent({
        tenant_id: b,
        trace: { input: { text }, output: { label: 'hr' }, decision_rationale: 'by EMP-123456', confidence_score: 0.9 },
      });
      const res = await postEvents(s.url, [ea, eb]);
      expect(res.status).toBe(202);
      const ga = await stored(ea.id);
      const gb = await stored(eb.id);
      expect(ga.trace.input).toEqual({ text: '<CUSTOM_1> asked Grace Hopper to mail <EMAIL_1>' });
      expect(ga.trace.decision_rationale).toBe('by <CUSTOM_1>');
      expect(ga.trace.redactions).toEqual({ CUSTOM: 2, EMAIL: 1, 'recognizer:employee-id': 2 });
      expect(gb.trace.input).toEqual({ text: 'EMP-123456 asked <PERSON_1> to mail <EMAIL_1>' });
      expect(gb.trace.redactions).toEqual({ PERSON: 1, EMAIL: 1 });

      // What the SDK fetches: a's ingest key reads a's rules, and may not read b's.
      const keyA = await ingestKey(a);
      const cfg = await fetch(`${s.url}/v1/redaction/config`, { headers: { authorization: `Bearer ${keyA}` } });
      expect(cfg.status).toBe(200);
      const body = (await cfg.json()) as { tenant: string; recognizers: Array<{ name: string; pattern: string }>; allow: string[] };
      expect(body.tenant).toBe(a);
      expect(body.recognizers.map((r) => [r.name, r.pattern])).toEqual([['employee-id', 'EMP-[0-9]{6}']]);
      expect(body.allow).toEqual(['Grace Hopper']);
      const etag = cfg.headers.get('etag') as string;
      expect(
        (await fetch(`${s.url}/v1/redaction/config`, { headers: { authorization: `Bearer ${keyA}`, 'if-none-match': etag } })).status,
      ).toBe(304);
      expect((await fetch(`${s.url}/v1/redaction/config?tenant=${b}`, { headers: { authorization: `Bearer ${keyA}` } })).status).toBe(403);
      // An ingest key may not change rules.
      expect((await post('/v1/recognizers', { tenant_id: a, name: 'x', pattern: 'x' }, { authorization: `Bearer ${keyA}` })).status).toBe(
        403,
      );

      // Audited, on a's chain.
      const audit = await getJson(`${s.url}/v1/audit?tenant_id=${a}`);
      const actions = audit.entries.map((e: { action: string }) => e.action);
      expect(actions).toContain('recognizer.create');
      expect(actions).toContain('redaction.allow.create');

      // Removed: the next event of a is redacted by the built-in detectors only.
      expect((await fetch(`${s.url}/v1/recognizers/${rec.id}`, { method: 'DELETE' })).status).toBe(204);
      expect((await fetch(`${s.url}/v1/recognizers/${rec.id}`, { method: 'DELETE' })).status).toBe(404);
      const ea2 = makeEvent({ tenant_id: a, trace: { input: { text: 'EMP-123456 again' }, output: {}, confidence_score: 0.5 } });
      await postEvents(s.url, [ea2]);
      expect((await stored(ea2.id)).trace.input).toEqual({ text: 'EMP-123456 again' });
      const after = await getJson(`${s.url}/v1/audit?tenant_id=${a}`);
      expect(after.entries.map((e: { action: string }) => e.action)).toContain('recognizer.delete');
    }, 60_000);

    it('serves the rules to the SDK, which redacts with them before anything leaves the process', async () => {
      const t = uniq('rcs');
      expect((await post('/v1/recognizers', { tenant_id: t, name: 'employee-id', pattern: 'EMP-[0-9]{6}' })).status).toBe(201);
      expect((await post('/v1/redaction/allow', { tenant_id: t, term: 'Grace Hopper' })).status).toBe(201);
      // A memory exporter: what the SDK would send, so the server's own pass plays no part.
      const exporter = new MemoryExporter();
      const sdk = new TelemetrySdk({
        endpoint: s.url,
        apiKey: await ingestKey(t),
        serverRedactionRules: true,
        exporter,
        spoolDir: false,
        flushOnExit: false,
        countTokens: false,
      });
      const model = sdk.wrapModel(async (text: string) => `done for ${text}`, {
        model_name: 'hr-model',
        model_version: '1',
        stage: 'policy',
        operation: 'classify',
      });
      await model('EMP-123456 and Grace Hopper, ada@example.com');
      await sdk.flush();
      const done = exporter.getEvents().find((e) => e.status === 'completed');
      expect(done?.trace?.input).toBe('<CUSTOM_1> and Grace Hopper, <EMAIL_1>');
      expect(done?.trace?.output).toBe('done for <CUSTOM_1> and Grace Hopper, <EMAIL_1>');
      await sdk.shutdown();
    }, 60_000);

    it('refuses a pattern that is not linear-time RE2, and bad fields, with a 400 naming the field', async () => {
      const t = uniq('rcx');
      const backref = await post('/v1/recognizers', { tenant_id: t, name: 'evil', pattern: '(a+)\\1' });
      expect(backref.status).toBe(400);
      expect(((await backref.json()) as { message: string }).message).toMatch(/pattern.*RE2/);
      const look = await post('/v1/recognizers', { tenant_id: t, name: 'evil', pattern: '(?=a)a' });
      expect(look.status).toBe(400);
      const empty = await post('/v1/recognizers', { tenant_id: t, name: 'evil', pattern: 'a*' });
      expect(empty.status).toBe(400);
      expect(((await empty.json()) as { message: string }).message).toMatch(/empty string/);
      expect((await post('/v1/recognizers', { tenant_id: t, name: 'has space', pattern: 'a' })).status).toBe(400);
      expect((await post('/v1/recognizers', { tenant_id: t, name: 'x', pattern: 'a', checksum: 'md5' })).status).toBe(400);
      expect((await post('/v1/recognizers', { tenant_id: t, name: 'x', pattern: 'a', extra: 1 })).status).toBe(400);
      expect((await post('/v1/redaction/allow', { tenant_id: t, term: '' })).status).toBe(400);
      // The same name twice for one tenant is a conflict.
      expect((await post('/v1/recognizers', { tenant_id: t, name: 'dup', pattern: 'DUP-[0-9]{3}' })).status).toBe(201);
      expect((await post('/v1/recognizers', { tenant_id: t, name: 'dup', pattern: 'DUP-[0-9]{4}' })).status).toBe(409);
    });

    it('applies a deployment-wide recognizer to every tenant; a tenant-scoped user sees only its own rows', async () => {
      const name = uniq('badge');
      const wide = await post('/v1/recognizers', {
        name,
        pattern: 'BDG[0-9]{5}',
        context: ['badge'],
        context_window: 10,
        entity: 'NATIONAL_ID',
      });
      expect(wide.status).toBe(201);
      const c = uniq('rcc');
      const d = uniq('rcd');
      await post('/v1/recognizers', { tenant_id: d, name: 'd-only', pattern: 'DDD-[0-9]{4}' });
      const e = makeEvent({
        tenant_id: c,
        trace: { input: { text: 'badge BDG12345, not BDG54321 alone' }, output: {}, confidence_score: 0.5 },
      });
      await postEvents(s.url, [e]);
      expect((await stored(e.id)).trace.input).toEqual({ text: 'badge <NATIONAL_ID_1>, not BDG54321 alone' });

      const user = await post('/v1/admin/users', { name: uniq('u'), role: 'ml_engineer', tenants: [c] });
      expect(user.status).toBe(201);
      const { id } = (await user.json()) as { id: string };
      const tok = await post(`/v1/admin/users/${id}/token`, {});
      const { token } = (await tok.json()) as { token: string };
      const asC = { authorization: `Bearer ${token}` };
      const seen = (await (await fetch(`${s.url}/v1/recognizers`, { headers: asC })).json()) as {
        recognizers: Array<{ tenant_id: string | null; name: string }>;
      };
      expect(seen.recognizers.some((r) => r.name === name && r.tenant_id === null)).toBe(true);
      expect(seen.recognizers.some((r) => r.tenant_id === d)).toBe(false);
      // Only a '*' scope may add or remove deployment-wide rules, or touch another tenant's.
      expect((await post('/v1/recognizers', { name: uniq('n'), pattern: 'Q[0-9]{3}' }, asC)).status).toBe(403);
      expect((await post('/v1/recognizers', { tenant_id: d, name: 'n', pattern: 'Q[0-9]{3}' }, asC)).status).toBe(403);
      const wideId = ((await wide.json()) as { id: string }).id;
      expect((await fetch(`${s.url}/v1/recognizers/${wideId}`, { method: 'DELETE', headers: asC })).status).toBe(404);
      expect((await post('/v1/recognizers', { tenant_id: c, name: 'c-own', pattern: 'CCC-[0-9]{4}' }, asC)).status).toBe(201);
      expect((await fetch(`${s.url}/v1/recognizers/${wideId}`, { method: 'DELETE' })).status).toBe(204);
    }, 60_000);
  });
}
