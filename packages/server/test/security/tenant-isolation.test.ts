import { randomUUID } from 'node:crypto';
import { EventSource } from 'eventsource';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { tenantSetting } from '../../src/storage/scoped.ts';
import type { SqlStorage } from '../../src/storage/sql-storage.ts';
import { makeEvent, makeStorage, postEvents, sleep, startServer, TEST_ADMIN_TOKEN, uniq, until } from '../helper.ts';
import { call, ingestKey, userToken } from './support.ts';

/**
 * "A probe with tenant A's credential against every endpoint, the SSE stream and the
 * WebSocket returns nothing of tenant B." Every GET route of the table is probed;
 * a new route that takes a tenant-B id must be added to `probes` below, or the
 * coverage check at the end fails.
 */
for (const mode of ['embedded', 'server'] as const) {
  describe(`tenant isolation through the API (${mode})`, () => {
    let s: Awaited<ReturnType<typeof startServer>>;
    const A = uniq('a');
    const B = uniq('b');
    const doc = `doc-${uniq()}`; // both tenants use the same document id
    let bEvents: ReturnType<typeof makeEvent>[];
    let aEvents: ReturnType<typeof makeEvent>[];
    let tokenA: string;
    let engineerA: string;
    let experimentB: string;
    const MODEL = 'frostbyte-docparse';
    const ISOLATION_VERSION = '1.0.1-isolation';

    beforeAll(async () => {
      s = await startServer(mode, { auditCheckpointMs: 200 });
      const keyA = await ingestKey(s.url, A);
      const keyB = await ingestKey(s.url, B);
      const ev = (t: string) =>
        makeEvent({
          tenant_id: t,
          document_id: doc,
          trace: { input: { secret: `${t}-input` }, output: { o: 1 }, decision_rationale: `${t} why`, confidence_score: 0.9 },
        });
      aEvents = [ev(A), ev(A)];
      bEvents = [ev(B), ev(B), makeEvent({ tenant_id: B, status: 'failed', error: { type: 'E', message: `${B} failed` } })];
      expect((await postEvents(s.url, aEvents, { authorization: `Bearer ${keyA.key}` })).status).toBe(202);
      expect((await postEvents(s.url, bEvents, { authorization: `Bearer ${keyB.key}` })).status).toBe(202);
      await until(
        () => call(`${s.url}/v1/events?tenant_id=${B}`, TEST_ADMIN_TOKEN),
        (r) => r.body.events?.length === 3,
      );
      await until(
        () => call(`${s.url}/v1/audit?tenant_id=${B}&action=events.batch`, TEST_ADMIN_TOKEN),
        (r) => r.body.entries?.length >= 1,
      );
      tokenA = (await userToken(s.url, 'compliance_officer', [A])).token;
      engineerA = (await userToken(s.url, 'ml_engineer', [A])).token;
      // What B has beyond events: a deployment and an experiment of its own, and an alert
      // from its failures (10 of its 13 calls fail; A's 2 calls are fine).
      const admin = (method: string, p: string, body?: unknown) =>
        call(`${s.url}${p}`, TEST_ADMIN_TOKEN, body === undefined ? { method } : { method, body: JSON.stringify(body) });
      const created = (r: { status: number; body: unknown }) => expect(r.status, JSON.stringify(r.body)).toBe(201);
      created(await admin('POST', `/v1/models/${MODEL}/versions`, { version: ISOLATION_VERSION, reason: 'isolation test' }));
      created(
        await admin('POST', `/v1/models/${MODEL}/deployments`, { version: ISOLATION_VERSION, tenants: [B], reason: `only for ${B}` }),
      );
      created(await admin('POST', `/v1/models/${MODEL}/versions`, { version: `${ISOLATION_VERSION}.2`, reason: 'isolation test' }));
      const ex = await admin('POST', '/v1/experiments', {
        name: `trial of ${B}`,
        stage: 'parse',
        treatment: { model_name: MODEL, version: `${ISOLATION_VERSION}.2` },
        treatment_percent: 10,
        tenants: [B],
        reason: `asked by ${B}`,
      });
      created(ex);
      experimentB = ex.body.experiment.id;
      // Issue 14: B's own recognizer and allow-list term, named after B so a leak shows.
      created(await admin('POST', '/v1/recognizers', { tenant_id: B, name: `rec-${B}`, pattern: 'BSECRET-[0-9]+' }));
      created(await admin('POST', '/v1/redaction/allow', { tenant_id: B, term: `term ${B}` }));
      const failures = Array.from({ length: 10 }, () =>
        makeEvent({ tenant_id: B, status: 'failed', error: { type: 'E', message: 'boom' }, document_id: `doc-${uniq()}` }),
      );
      expect((await postEvents(s.url, failures, { authorization: `Bearer ${keyB.key}` })).status).toBe(202);
      await until(
        async () => (await admin('POST', '/v1/alerts/evaluate')).body.alerts as { tenant_id: string | null }[],
        (alerts) => alerts.some((a) => a.tenant_id === B),
      );
    }, 60_000);
    afterAll(() => s?.close());

    it('every read endpoint returns nothing of tenant B, and B-ids look like ids that do not exist', async () => {
      const b = bEvents[0] as ReturnType<typeof makeEvent>;
      const now = new Date();
      const from = new Date(now.getTime() - 86_400_000).toISOString();
      const to = new Date(now.getTime() + 3_600_000).toISOString();
      // B has a record in the writer's quarantine, too (issue 12).
      await s.app.services.quarantine.put(
        { seq: `${Date.now()}-0`, record: { event: { ...b, tenant_id: B } as never, trace: null } },
        { sqlstate: '22021', message: `${B} refused` },
      );
      const quarantinedB = (await s.app.services.quarantine.list('*', { tenant_id: B, limit: 1 })).records[0]?.id;
      expect(quarantinedB).toBeDefined();
      const probes: Record<string, string[]> = {
        'GET /v1/quarantine': ['/v1/quarantine', `/v1/quarantine?tenant_id=${B}`],
        'GET /v1/quarantine/:id': [`/v1/quarantine/${quarantinedB}`],
        'GET /v1/events': ['/v1/events', `/v1/events?tenant_id=${B}`, `/v1/events?document_id=${doc}`],
        'GET /v1/events/:id': [`/v1/events/${b.id}`],
        'GET /v1/invocations/:id': [`/v1/invocations/${b.invocation_id}`],
        'GET /v1/documents/:document_id/events': [`/v1/documents/${doc}/events`],
        'GET /v1/metrics/summary': ['/v1/metrics/summary', `/v1/metrics/summary?tenant_id=${B}`],
        'GET /v1/metrics/timeseries': ['/v1/metrics/timeseries'],
        'GET /v1/costs': [
          '/v1/costs?group_by=tenant',
          `/v1/costs?group_by=document&from=${from}&to=${to}`,
          '/v1/costs?group_by=model',
          `/v1/costs?group_by=document&tenant_id=${B}`,
        ],
        'GET /v1/audit': ['/v1/audit', `/v1/audit?tenant_id=${B}`],
        'GET /v1/audit/proof/:event_id': [`/v1/audit/proof/${b.id}`],
        'GET /v1/audit/verify': ['/v1/audit/verify', `/v1/audit/verify?tenant_id=${B}`],
        'GET /v1/audit/export': ['/v1/audit/export', `/v1/audit/export?tenant_id=${B}`],
        'GET /v1/audit/checkpoints': [`/v1/audit/checkpoints?tenant_id=${B}`],
        // Issue 15: the access report, the offline bundle, a document's controls.
        'GET /v1/audit/access': ['/v1/audit/access', `/v1/audit/access?tenant_id=${B}`],
        'GET /v1/audit/bundle': [`/v1/audit/bundle?tenant_id=${B}`],
        'GET /v1/documents/:document_id': [`/v1/documents/${doc}?tenant_id=${B}`],
        'GET /v1/session': ['/v1/session'],
        'GET /v1/models': ['/v1/models'],
        'GET /v1/models/:name': [`/v1/models/${MODEL}`],
        'GET /v1/models/:name/versions': [`/v1/models/${MODEL}/versions`],
        'GET /v1/models/:name/versions/:a/diff/:b': [`/v1/models/${MODEL}/versions/1.0.0/diff/${ISOLATION_VERSION}`],
        'GET /v1/models/:name/deployments': [`/v1/models/${MODEL}/deployments`],
        'GET /v1/models/:name/timeline': [`/v1/models/${MODEL}/timeline`],
        'GET /v1/experiments': ['/v1/experiments', '/v1/experiments?stage=parse'],
        'GET /v1/experiments/:id': [`/v1/experiments/${experimentB}`],
        'GET /v1/experiments/:id/results': [`/v1/experiments/${experimentB}/results`],
        'GET /v1/alerts': ['/v1/alerts', '/v1/alerts?state=active', `/v1/alerts?tenant_id=${B}`],
        'GET /v1/alerts/rules': ['/v1/alerts/rules'],
        'GET /v1/pipeline': ['/v1/pipeline', `/v1/pipeline?tenant_id=${B}`],
        'GET /v1/pipeline/config': ['/v1/pipeline/config', `/v1/pipeline/config?tenant=${B}`],
        'GET /v1/recognizers': ['/v1/recognizers', `/v1/recognizers?tenant_id=${B}`],
        'GET /v1/redaction/config': ['/v1/redaction/config', `/v1/redaction/config?tenant=${B}`],
      };
      const leaks: string[] = [];
      const statuses: Record<string, number> = {};
      for (const token of [tokenA, engineerA]) {
        for (const paths of Object.values(probes)) {
          for (const p of paths) {
            const r = await call(`${s.url}${p}`, token);
            statuses[p] = r.status;
            expect(r.status, p).toBeLessThan(500);
            // A 404 may echo the id the caller sent; anything else of B is a leak.
            const text = JSON.stringify(r.body).replaceAll(p.split('?')[0]?.split('/').pop() as string, '<asked>');
            for (const needle of [B, ...bEvents.map((e) => e.id), ...bEvents.map((e) => e.invocation_id)])
              if (text.includes(needle)) leaks.push(`${p} → ${needle}`);
          }
        }
      }
      expect(leaks).toEqual([]);
      // B's event looks exactly like an event that never existed.
      const ghost = '01890000-0000-7000-8000-000000000000';
      const real = await call(`${s.url}/v1/events/${b.id}`, tokenA);
      const none = await call(`${s.url}/v1/events/${ghost}`, tokenA);
      expect([real.status, none.status]).toEqual([404, 404]);
      expect(real.body.message.replace(b.id, 'X')).toBe(none.body.message.replace(ghost, 'X'));
      expect(statuses[`/v1/audit/verify?tenant_id=${B}`]).toBe(403);
      // A still sees its own.
      const own = await call(`${s.url}/v1/documents/${doc}/events`, tokenA);
      expect(own.body.events.map((e: { id: string }) => e.id).sort()).toEqual(aEvents.map((e) => e.id).sort());
      // Coverage: every GET route with a permission is probed here or explicitly out of scope.
      const outOfScope = new Set(['GET /telemetry/stream', 'GET /v1/tracer/ws', 'GET /v1/admin/keys', 'GET /v1/admin/users']);
      const unprobed = s.app.routeTable
        .filter((r) => r.method === 'GET' && r.permission && r.permission !== 'public')
        .map((r) => `GET ${r.url}`)
        .filter((k) => !probes[k] && !outOfScope.has(k));
      expect(unprobed).toEqual([]);
    });

    it('the SSE stream and the WebSocket deliver nothing of tenant B', async () => {
      const got: string[] = [];
      const es = new EventSource(`${s.url}/telemetry/stream?access_token=${encodeURIComponent(tokenA)}`);
      es.addEventListener('model_event', (m) => got.push(m.data));
      await new Promise<void>((r) => es.addEventListener('open', () => r()));
      const denied = await call(`${s.url}/telemetry/stream?tenant_id=${B}&access_token=${encodeURIComponent(tokenA)}`, null);
      expect(denied.status).toBe(403);
      const resumed: string[] = [];
      const es2 = new EventSource(`${s.url}/telemetry/stream?access_token=${encodeURIComponent(tokenA)}&lastEventId=1-0`);
      es2.addEventListener('model_event', (m) => resumed.push(m.data));

      const ws = new WebSocket(`${s.url.replace('http', 'ws')}/v1/tracer/ws?access_token=${encodeURIComponent(tokenA)}`);
      const wsGot: string[] = [];
      ws.on('message', (d: Buffer) => wsGot.push(d.toString()));
      await new Promise((r) => ws.on('open', r));
      ws.send(JSON.stringify({ type: 'follow', document_id: doc }));
      await until(
        () => wsGot.length,
        (n) => n >= 1,
      );

      const keyB = await ingestKey(s.url, B);
      const keyA = await ingestKey(s.url, A);
      const liveB = Array.from({ length: 3 }, () => makeEvent({ tenant_id: B, document_id: doc }));
      const liveA = makeEvent({ tenant_id: A, document_id: doc });
      await postEvents(s.url, liveB, { authorization: `Bearer ${keyB.key}` });
      await postEvents(s.url, [liveA], { authorization: `Bearer ${keyA.key}` });
      await until(
        () => got.length + wsGot.length,
        () => got.some((d) => d.includes(liveA.id)) && wsGot.some((d) => d.includes(liveA.id)),
      );
      await until(
        () => resumed.length,
        () => resumed.some((d) => d.includes(liveA.id)),
      );
      await sleep(200);
      es.close();
      es2.close();
      ws.close();
      for (const text of [...got, ...resumed, ...wsGot]) {
        expect(text).not.toContain(B);
        for (const e of [...bEvents, ...liveB]) expect(text).not.toContain(e.id);
      }
      // Without a credential neither opens.
      expect((await call(`${s.url}/telemetry/stream`, null)).status).toBe(401);
      const refused = await new Promise<number>((resolve) => {
        const w = new WebSocket(`${s.url.replace('http', 'ws')}/v1/tracer/ws`);
        w.on('unexpected-response', (_req: unknown, res: { statusCode?: number }) => resolve(res.statusCode ?? 0));
        w.on('open', () => resolve(101));
      });
      expect(refused).toBe(401);
    });
  });
}

/** Row-level security, below the API: the application role sees only its tenants. */
for (const kind of ['pglite', 'postgres'] as const) {
  describe(`row-level security (${kind})`, () => {
    let storage: SqlStorage;
    let cleanup: () => Promise<void>;
    beforeAll(async () => {
      const made = await makeStorage(kind);
      storage = made.storage;
      cleanup = made.cleanup;
    }, 60_000);
    afterAll(() => cleanup?.());

    it('fmo_app without fmo.tenants sees no rows; with a tenant, only that tenant; writes to other tenants are refused', async () => {
      const { record, withSeqs } = await import('../shared-suites/records.ts');
      const A = uniq('a');
      const B = uniq('b');
      await storage.insertRecords(withSeqs([record({ tenant_id: A }), record({ tenant_id: B }), record({ tenant_id: B })]));
      const count = (sql: string) =>
        storage.db.transaction(async (tx) => {
          await tx.exec(sql);
          const { rows } = await tx.query<{ tenant_id: string; n: number }>(
            `SELECT tenant_id, count(*)::int AS n FROM model_events WHERE tenant_id IN ('${A}', '${B}') GROUP BY 1 ORDER BY 1`,
          );
          return rows.map((r) => `${r.tenant_id}:${r.n}`);
        });
      expect(await count('SET LOCAL ROLE fmo_app')).toEqual([]);
      expect(await count(`SET LOCAL ROLE fmo_app; SET LOCAL fmo.tenants = '${A}'`)).toEqual([`${A}:1`]);
      expect(await count(`SET LOCAL ROLE fmo_app; SET LOCAL fmo.tenants = '${A},${B}'`)).toEqual([`${A}:1`, `${B}:2`]);
      expect(await count(`SET LOCAL ROLE fmo_app; SET LOCAL fmo.tenants = '*'`)).toEqual([`${A}:1`, `${B}:2`]);
      // The scoped helper the storage uses for every tenant read.
      const viaScope = await storage.scoped(
        [A],
        async (tx) => (await tx.query<{ n: number }>(`SELECT count(*)::int AS n FROM model_events WHERE tenant_id = '${B}'`)).rows[0]?.n,
      );
      expect(viaScope).toBe(0);
      // Writing a row of B while scoped to A violates the policy.
      await expect(
        storage.scoped([A], (tx) =>
          tx.query(`INSERT INTO cost_metrics (tenant_id, hour, stage, model_name, model_version) VALUES ('${B}', now(), 's', 'm', 'v')`),
        ),
      ).rejects.toThrow(/row-level security/);
      // Alerts: a tenant scope sees its own, never another's nor a pipeline-wide one (NULL tenant).
      const alert = (tenant: string | null) =>
        storage.scoped('*', (tx) =>
          tx.query(
            `INSERT INTO alerts (id, tenant_id, rule, subject, severity, message, state) VALUES ($1, $2, 'error_rate', $3, 'warning', 'm', 'open')`,
            [randomUUID(), tenant, uniq('stage:')],
          ),
        );
      await Promise.all([alert(A), alert(B), alert(null)]);
      const alertsSeen = (scope: '*' | string[]) =>
        storage.scoped(scope, async (tx) =>
          (
            await tx.query<{ t: string | null }>(
              `SELECT tenant_id AS t FROM alerts WHERE tenant_id IN ('${A}', '${B}') OR tenant_id IS NULL`,
            )
          ).rows.map((r) => r.t),
        );
      expect(await alertsSeen([A])).toEqual([A]);
      expect(await alertsSeen('*')).toEqual(expect.arrayContaining([A, B, null]));
      await expect(storage.scoped([A], (tx) => tx.query(`UPDATE alerts SET tenant_id = '${B}' WHERE tenant_id = '${A}'`))).rejects.toThrow(
        /row-level security/,
      );
      // Every tenant table has RLS enabled and forced; fmo_app cannot bypass it.
      const { rows } = await storage.db.query<{ relname: string; relrowsecurity: boolean; relforcerowsecurity: boolean }>(
        `SELECT relname, relrowsecurity, relforcerowsecurity FROM pg_class WHERE relname IN
         ('model_events','decision_traces','cost_metrics','encryption_keys','api_keys','audit_log','audit_checkpoints','audit_batches','audit_summaries',
          'open_invocations','alerts') ORDER BY 1`,
      );
      expect(rows).toHaveLength(11);
      for (const r of rows) expect([r.relname, r.relrowsecurity, r.relforcerowsecurity]).toEqual([r.relname, true, true]);
      const role = (
        await storage.db.query<{ rolbypassrls: boolean; rolsuper: boolean }>(
          `SELECT rolbypassrls, rolsuper FROM pg_roles WHERE rolname = 'fmo_app'`,
        )
      ).rows[0];
      expect(role).toEqual({ rolbypassrls: false, rolsuper: false });
      // A day partition read directly (not through the parent's policy) is refused to fmo_app.
      const part = (
        await storage.db.query<{ relname: string }>(
          `SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid WHERE i.inhparent = 'model_events'::regclass LIMIT 1`,
        )
      ).rows[0]?.relname;
      await expect(storage.scoped('*', (tx) => tx.query(`SELECT 1 FROM ${part}`))).rejects.toThrow(/permission denied/);
    });

    it('the scope setting refuses anything that is not a tenant id', () => {
      expect(tenantSetting('*')).toBe('*');
      expect(tenantSetting(['a', 'b-1'])).toBe('a,b-1');
      expect(tenantSetting([])).toBe('');
      expect(() => tenantSetting(["a'; DROP TABLE x; --"])).toThrow(/invalid tenant/);
      expect(() => tenantSetting(['a,b'])).toThrow(/invalid tenant/);
    });
  });
}
