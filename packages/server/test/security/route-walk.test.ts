import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RequestContext, SYSTEM_CONTEXT } from '../../src/access/auth.ts';
import { INGEST_KEY_PERMISSIONS, type Permission, permissionsOf, ROLES } from '../../src/access/permissions.ts';
import { AlertRepository } from '../../src/alerts/alert-repository.ts';
import { asOwner, scopedRunner } from '../../src/storage/scoped.ts';
import { makeEvent, sleep, startServer, TEST_ADMIN_TOKEN, uniq, until } from '../helper.ts';
import { call, ingestKey, userToken } from './support.ts';

/**
 * Issue 12, item 1: scope on every action. Every write route the server registers (read
 * from `app.routeTable`, so a route added later is walked too — and this test FAILS until
 * it has an entry in `WALK`) is called by a credential of each role scoped to tenant TB,
 * and by a TB ingest key, against tenant TA's objects or against what every tenant
 * shares. Each call must be refused (401/403 without the permission; with it, the status
 * the entry names: 403 naming a tenant the caller named, 404 for another tenant's key,
 * user, experiment or alert, 400 naming `tenant_id` for an event) and the database must
 * be unchanged afterwards (every row of every table the routes write, read as the
 * owner). Then the positive controls: the same calls against TB's own objects succeed for
 * the credentials that hold the permission (calls on what every tenant shares succeed
 * for the same role with a '*' credential), so the walk cannot pass by refusing
 * everything. A few administrative reads (users, keys, audit export/verify, pipeline
 * config, the rollback preview for all tenants) are walked the same way.
 */

type Fixtures = {
  TA: string;
  TB: string;
  keyTA: string;
  userTA: string;
  userTAB: string;
  modelA: string;
  experimentA: string;
  experimentAll: string;
  modelAll: string;
  modelMixed: string;
  alertTA: string;
  alertAll: string;
  stageX: string;
  modelX: string;
  recognizerTA: string;
  allowTA: string;
};
type Attack = { path: string; body?: unknown; refuse: 400 | 403 | 404; what: string };
type Control = { path: string; body?: unknown; ok: number; global?: boolean; check?: (body: unknown) => void };
interface Walk {
  attacks: (f: Fixtures) => Attack[];
  /** Makes TB's own object (as the global admin) and returns the same call against it. */
  control: (f: Fixtures) => Promise<Control>;
  /** Controls that spoil TB for the others (erasure) run after the rest. */
  last?: boolean;
}

/** An OTLP logs export with one GenAI content event of `tenant`, tied to a span. */
const otlpLog = (tenant: string) => ({
  resourceLogs: [
    {
      resource: { attributes: [{ key: 'frostbyte.tenant_id', value: { stringValue: tenant } }] },
      scopeLogs: [
        {
          logRecords: [
            {
              timeUnixNano: String(BigInt(Date.now()) * 1_000_000n),
              eventName: 'gen_ai.user.message',
              body: { stringValue: 'walk' },
              traceId: uniq('').padEnd(32, '0').slice(0, 32),
              spanId: uniq('').padEnd(16, '0').slice(0, 16),
            },
          ],
        },
      ],
    },
  ],
});

/** An OTLP export with one GenAI span of `tenant`. */
const otlp = (tenant: string) => ({
  resourceSpans: [
    {
      resource: { attributes: [{ key: 'frostbyte.tenant_id', value: { stringValue: tenant } }] },
      scopeSpans: [
        {
          spans: [
            {
              traceId: uniq('').padEnd(32, '0').slice(0, 32),
              spanId: uniq('').padEnd(16, '0').slice(0, 16),
              name: 'chat',
              startTimeUnixNano: String(BigInt(Date.now() - 50) * 1_000_000n),
              endTimeUnixNano: String(BigInt(Date.now()) * 1_000_000n),
              attributes: [{ key: 'gen_ai.request.model', value: { stringValue: 'walk-model' } }],
            },
          ],
        },
      ],
    },
  ],
});

for (const mode of ['embedded', 'server'] as const) {
  describe(`every write route refuses another tenant's objects (${mode})`, () => {
    let s: Awaited<ReturnType<typeof startServer>>;
    const f = {} as Fixtures;
    f.TA = uniq('ta');
    f.TB = uniq('tb');
    const creds: { label: string; token: string; permissions: readonly Permission[]; star: string | null }[] = [];

    const admin = async (method: string, path: string, body?: unknown) => {
      const r = await call(`${s.url}${path}`, TEST_ADMIN_TOKEN, body === undefined ? { method } : { method, body: JSON.stringify(body) });
      if (r.status >= 300) throw new Error(`fixture ${method} ${path}: ${r.status} ${JSON.stringify(r.body)}`);
      return r.body;
    };
    const openAlert = async (tenant: string | null) => {
      const subject = uniq('walk-');
      const a = await new AlertRepository(scopedRunner(s.app.db)).open(
        { rule: 'error_rate', subject, severity: 'warning', stage: 'parse', model_name: 'walk', message: `walk ${subject}`, details: {} },
        tenant,
      );
      return (a as { id: string }).id;
    };
    /** A model on a stage of its own (so experiments never collide): versions 1 and 2, 1 for every tenant. */
    const freshModel = async () => {
      const name = uniq('walk-m-');
      const stage = uniq('walk-s-');
      await admin('POST', '/v1/models', { name, stage, version: { version: '1', reason: 'route walk' } });
      await admin('POST', `/v1/models/${name}/versions`, { version: '2', reason: 'route walk' });
      await admin('POST', `/v1/models/${name}/deployments`, { version: '1', reason: 'route walk' });
      return { name, stage };
    };
    const experiment = async (tenants: string[] | null) => {
      const m = await freshModel();
      const body = {
        name: uniq('walk-x-'),
        stage: m.stage,
        treatment: { model_name: m.name, version: '2' },
        treatment_percent: 50,
        reason: 'route walk',
      };
      const r = await admin('POST', '/v1/experiments', tenants ? { ...body, tenants } : body);
      return r.experiment.id as string;
    };
    const freshUserTB = async () =>
      (await admin('POST', '/v1/admin/users', { name: uniq('walk-u-'), role: 'viewer', tenants: [f.TB] })).name as string;

    const WALK: Record<string, Walk> = {
      'POST /v1/events': {
        attacks: (f) => [{ path: '/v1/events', body: { events: [makeEvent({ tenant_id: f.TA })] }, refuse: 400, what: "an event of TA's" }],
        control: async (f) => ({ path: '/v1/events', body: { events: [makeEvent({ tenant_id: f.TB })] }, ok: 202 }),
      },
      'POST /v1/traces': {
        attacks: (f) => [{ path: '/v1/traces', body: otlp(f.TA), refuse: 400, what: "an OTLP span of TA's" }],
        control: async (f) => ({ path: '/v1/traces', body: otlp(f.TB), ok: 200 }),
      },
      'POST /v1/logs': {
        attacks: (f) => [{ path: '/v1/logs', body: otlpLog(f.TA), refuse: 400, what: "an OTLP log of TA's" }],
        control: async (f) => ({ path: '/v1/logs', body: otlpLog(f.TB), ok: 200 }),
      },
      // Issue 14: users' recognizers and allow-list terms.
      'POST /v1/recognizers': {
        attacks: (f) => [
          {
            path: '/v1/recognizers',
            body: { tenant_id: f.TA, name: 'walk', pattern: 'WALK-[0-9]+' },
            refuse: 403,
            what: 'a recognizer for TA',
          },
          { path: '/v1/recognizers', body: { name: 'walk', pattern: 'WALK-[0-9]+' }, refuse: 403, what: 'a deployment-wide recognizer' },
        ],
        control: async (f) => ({ path: '/v1/recognizers', body: { tenant_id: f.TB, name: uniq('walk'), pattern: 'WALK-[0-9]+' }, ok: 201 }),
      },
      'DELETE /v1/recognizers/:id': {
        attacks: (f) => [{ path: `/v1/recognizers/${f.recognizerTA}`, refuse: 404, what: "TA's recognizer" }],
        control: async (f) => {
          const r = await admin('POST', '/v1/recognizers', { tenant_id: f.TB, name: uniq('walk'), pattern: 'WALK-[0-9]+' });
          return { path: `/v1/recognizers/${r.id}`, ok: 204 };
        },
      },
      'POST /v1/redaction/allow': {
        attacks: (f) => [
          { path: '/v1/redaction/allow', body: { tenant_id: f.TA, term: 'Walk Term' }, refuse: 403, what: 'an allow-list term for TA' },
          { path: '/v1/redaction/allow', body: { term: 'Walk Term' }, refuse: 403, what: 'a deployment-wide allow-list term' },
        ],
        control: async (f) => ({ path: '/v1/redaction/allow', body: { tenant_id: f.TB, term: uniq('Walk ') }, ok: 201 }),
      },
      'DELETE /v1/redaction/allow/:id': {
        attacks: (f) => [{ path: `/v1/redaction/allow/${f.allowTA}`, refuse: 404, what: "TA's allow-list term" }],
        control: async (f) => {
          const r = await admin('POST', '/v1/redaction/allow', { tenant_id: f.TB, term: uniq('Walk ') });
          return { path: `/v1/redaction/allow/${r.id}`, ok: 204 };
        },
      },
      'POST /v1/admin/keys': {
        attacks: (f) => [{ path: '/v1/admin/keys', body: { tenant: f.TA }, refuse: 403, what: 'an ingest key for TA' }],
        control: async (f) => ({ path: '/v1/admin/keys', body: { tenant: f.TB }, ok: 201 }),
      },
      'POST /v1/admin/keys/:id/revoke': {
        attacks: (f) => [{ path: `/v1/admin/keys/${f.keyTA}/revoke`, refuse: 404, what: "TA's ingest key" }],
        control: async (f) => ({ path: `/v1/admin/keys/${(await ingestKey(s.url, f.TB)).id}/revoke`, ok: 200 }),
      },
      'POST /v1/admin/tenants/:tenant/rotate-key': {
        attacks: (f) => [{ path: `/v1/admin/tenants/${f.TA}/rotate-key`, refuse: 403, what: "TA's data key" }],
        control: async (f) => ({ path: `/v1/admin/tenants/${f.TB}/rotate-key`, ok: 200 }),
      },
      'POST /v1/admin/tenants/:tenant/erase': {
        attacks: (f) => [{ path: `/v1/admin/tenants/${f.TA}/erase`, refuse: 403, what: 'erasing TA' }],
        control: async (f) => ({ path: `/v1/admin/tenants/${f.TB}/erase`, ok: 200 }),
        last: true,
      },
      // Issue 15: per-document erasure and legal hold of TB's own documents (erasure on another than the hold's).
      'POST /v1/documents/:document_id/erase': {
        attacks: (f) => [
          { path: '/v1/documents/walk-doc/erase', body: { tenant_id: f.TA, confirm: true }, refuse: 403, what: 'erasing a TA document' },
        ],
        control: async (f) => ({ path: `/v1/documents/${await docOf(f.TB, 1)}/erase`, body: { tenant_id: f.TB, confirm: true }, ok: 200 }),
        last: true,
      },
      'POST /v1/documents/:document_id/hold': {
        attacks: (f) => [
          { path: '/v1/documents/walk-doc/hold', body: { tenant_id: f.TA, reason: 'evil' }, refuse: 403, what: 'holding a TA document' },
        ],
        control: async (f) => ({ path: `/v1/documents/${await docOf(f.TB)}/hold`, body: { tenant_id: f.TB, reason: 'walk' }, ok: 200 }),
      },
      'POST /v1/documents/:document_id/release': {
        attacks: (f) => [
          { path: '/v1/documents/walk-doc/release', body: { tenant_id: f.TA }, refuse: 403, what: 'releasing a TA document' },
        ],
        control: async (f) => {
          const d = await docOf(f.TB);
          await admin('POST', `/v1/documents/${d}/hold`, { tenant_id: f.TB, reason: 'walk' });
          return { path: `/v1/documents/${d}/release`, body: { tenant_id: f.TB }, ok: 200 };
        },
      },
      'POST /v1/admin/users': {
        attacks: (f) =>
          [[f.TA], ['*'], [f.TA, f.TB]].map((tenants) => ({
            path: '/v1/admin/users',
            body: { name: uniq('walk-evil-'), role: 'admin', tenants },
            refuse: 403 as const,
            what: `a user for ${tenants.join(',')}`,
          })),
        control: async (f) => ({ path: '/v1/admin/users', body: { name: uniq('walk-ok-'), role: 'viewer', tenants: [f.TB] }, ok: 201 }),
      },
      'POST /v1/admin/users/:user/disable': {
        attacks: (f) =>
          [f.userTA, f.userTAB, 'local-admin'].map((u) => ({
            path: `/v1/admin/users/${u}/disable`,
            refuse: 404 as const,
            what: `disabling ${u}`,
          })),
        control: async () => ({ path: `/v1/admin/users/${await freshUserTB()}/disable`, ok: 200 }),
      },
      'POST /v1/admin/users/:user/token': {
        attacks: (f) =>
          [f.userTA, f.userTAB, 'local-admin'].map((u) => ({
            path: `/v1/admin/users/${u}/token`,
            body: {},
            refuse: 404 as const,
            what: `a token for ${u}`,
          })),
        control: async () => ({ path: `/v1/admin/users/${await freshUserTB()}/token`, body: {}, ok: 200 }),
      },
      'POST /v1/admin/retention/run': {
        attacks: () => [{ path: '/v1/admin/retention/run', body: {}, refuse: 403, what: 'retention over every tenant' }],
        control: async () => ({ path: '/v1/admin/retention/run', body: {}, ok: 200, global: true }),
      },
      'POST /v1/models': {
        attacks: () => [
          { path: '/v1/models', body: { name: uniq('walk-evil-'), stage: 'parse' }, refuse: 403, what: 'a model in the shared catalogue' },
        ],
        control: async () => ({ path: '/v1/models', body: { name: uniq('walk-ok-'), stage: uniq('walk-s-') }, ok: 201, global: true }),
      },
      'POST /v1/models/:name/versions': {
        attacks: (f) => [
          {
            path: `/v1/models/${f.modelA}/versions`,
            body: { version: '9', reason: 'evil' },
            refuse: 403,
            what: 'a version every tenant sees',
          },
        ],
        control: async () => ({
          path: `/v1/models/${(await freshModel()).name}/versions`,
          body: { version: '3', reason: 'route walk' },
          ok: 201,
          global: true,
        }),
      },
      'POST /v1/models/:name/deployments': {
        attacks: (f) => [
          {
            path: `/v1/models/${f.modelA}/deployments`,
            body: { version: '1', tenants: [f.TA], reason: 'evil' },
            refuse: 403,
            what: 'a deploy for TA',
          },
          {
            path: `/v1/models/${f.modelA}/deployments`,
            body: { version: '2', reason: 'evil' },
            refuse: 403,
            what: 'a deploy for every tenant',
          },
        ],
        control: async (f) => ({
          path: `/v1/models/${(await freshModel()).name}/deployments`,
          body: { version: '2', tenants: [f.TB], reason: 'route walk' },
          ok: 201,
        }),
      },
      'POST /v1/models/:name/rollback': {
        attacks: (f) => [
          {
            path: `/v1/models/${f.modelA}/rollback`,
            body: { to_version: '1', tenants: [f.TA], reason: 'evil' },
            refuse: 403,
            what: 'a rollback for TA',
          },
          {
            path: `/v1/models/${f.modelAll}/rollback`,
            body: { to_version: '1', reason: 'evil' },
            refuse: 403,
            what: 'a rollback for every tenant',
          },
        ],
        control: async (f) => {
          const m = await freshModel();
          await admin('POST', `/v1/models/${m.name}/deployments`, { version: '2', tenants: [f.TB], reason: 'route walk' });
          return { path: `/v1/models/${m.name}/rollback`, body: { to_version: '1', tenants: [f.TB], reason: 'route walk' }, ok: 201 };
        },
      },
      'POST /v1/models/:name/rollback/preview': {
        attacks: (f) => [
          { path: `/v1/models/${f.modelA}/rollback/preview`, body: { tenants: [f.TA] }, refuse: 403, what: "TA's rollback preview" },
        ],
        control: async (f) => {
          const m = await freshModel();
          await admin('POST', `/v1/models/${m.name}/deployments`, { version: '2', tenants: [f.TB], reason: 'route walk' });
          return { path: `/v1/models/${m.name}/rollback/preview`, body: { tenants: [f.TB] }, ok: 200 };
        },
      },
      'POST /v1/experiments': {
        attacks: (f) => {
          const body = {
            name: uniq('walk-evil-'),
            stage: f.stageX,
            treatment: { model_name: f.modelX, version: '2' },
            treatment_percent: 50,
            reason: 'evil',
          };
          return [
            { path: '/v1/experiments', body: { ...body, tenants: [f.TA] }, refuse: 403, what: 'an experiment for TA' },
            { path: '/v1/experiments', body, refuse: 403, what: 'an experiment for every tenant' },
          ];
        },
        control: async (f) => {
          const m = await freshModel();
          const body = {
            name: uniq('walk-ok-'),
            stage: m.stage,
            treatment: { model_name: m.name, version: '2' },
            treatment_percent: 50,
            tenants: [f.TB],
            reason: 'route walk',
          };
          return { path: '/v1/experiments', body, ok: 201 };
        },
      },
      'POST /v1/experiments/:id/stop': {
        attacks: (f) => [
          { path: `/v1/experiments/${f.experimentA}/stop`, body: { reason: 'evil' }, refuse: 404, what: "TA's experiment" },
          {
            path: `/v1/experiments/${f.experimentAll}/stop`,
            body: { reason: 'evil' },
            refuse: 403,
            what: 'an experiment for every tenant',
          },
        ],
        control: async (f) => ({ path: `/v1/experiments/${await experiment([f.TB])}/stop`, body: { reason: 'route walk' }, ok: 200 }),
      },
      'POST /v1/experiments/:id/promote': {
        attacks: (f) => [
          {
            path: `/v1/experiments/${f.experimentA}/promote`,
            body: { variant: 'treatment', reason: 'evil' },
            refuse: 404,
            what: "TA's experiment",
          },
          {
            path: `/v1/experiments/${f.experimentAll}/promote`,
            body: { variant: 'treatment', reason: 'evil' },
            refuse: 403,
            what: 'an experiment for every tenant',
          },
        ],
        control: async (f) => ({
          path: `/v1/experiments/${await experiment([f.TB])}/promote`,
          body: { variant: 'treatment', reason: 'route walk' },
          ok: 200,
        }),
      },
      'POST /v1/alerts/:id/ack': {
        attacks: (f) => [
          { path: `/v1/alerts/${f.alertTA}/ack`, body: {}, refuse: 404, what: "TA's alert" },
          { path: `/v1/alerts/${f.alertAll}/ack`, body: {}, refuse: 404, what: 'a pipeline-wide alert' },
        ],
        control: async (f) => ({ path: `/v1/alerts/${await openAlert(f.TB)}/ack`, body: {}, ok: 200 }),
      },
      'POST /v1/alerts/:id/resolve': {
        attacks: (f) => [
          { path: `/v1/alerts/${f.alertTA}/resolve`, body: {}, refuse: 404, what: "TA's alert" },
          { path: `/v1/alerts/${f.alertAll}/resolve`, body: {}, refuse: 404, what: 'a pipeline-wide alert' },
        ],
        control: async (f) => ({ path: `/v1/alerts/${await openAlert(f.TB)}/resolve`, body: {}, ok: 200 }),
      },
      'POST /v1/alerts/evaluate': {
        attacks: () => [{ path: '/v1/alerts/evaluate', refuse: 403, what: "an evaluation of every tenant's alerts" }],
        control: async () => ({ path: '/v1/alerts/evaluate', ok: 200, global: true }),
      },
      'PATCH /v1/alerts/rules': {
        attacks: () => [{ path: '/v1/alerts/rules', body: { window_s: 77 }, refuse: 403, what: 'the alert rules of every tenant' }],
        control: async () => ({ path: '/v1/alerts/rules', body: { window_s: 90 }, ok: 200, global: true }),
      },
      'DELETE /v1/alerts/rules': {
        attacks: () => [{ path: '/v1/alerts/rules', refuse: 403, what: 'the alert rules of every tenant' }],
        control: async () => ({ path: '/v1/alerts/rules', ok: 200, global: true }),
      },
    };

    /** Administrative reads: another tenant's are refused or absent. */
    const READS: Record<string, Walk> = {
      'GET /v1/audit/export': {
        attacks: (f) => [{ path: `/v1/audit/export?tenant_id=${f.TA}`, refuse: 403, what: "TA's audit log" }],
        control: async (f) => ({ path: `/v1/audit/export?tenant_id=${f.TB}`, ok: 200 }),
      },
      'GET /v1/audit/verify': {
        attacks: (f) => [{ path: `/v1/audit/verify?tenant_id=${f.TA}`, refuse: 403, what: "verifying TA's audit log" }],
        control: async (f) => ({ path: `/v1/audit/verify?tenant_id=${f.TB}`, ok: 200 }),
      },
      'GET /v1/pipeline/config': {
        attacks: (f) => [{ path: `/v1/pipeline/config?tenant=${f.TA}`, refuse: 403, what: "TA's pipeline config" }],
        control: async (f) => ({ path: `/v1/pipeline/config?tenant=${f.TB}`, ok: 200 }),
      },
      'GET /v1/admin/users': {
        attacks: () => [],
        control: async () => {
          const mine = await freshUserTB();
          return {
            path: '/v1/admin/users',
            ok: 200,
            check: (b) => {
              const names = (b as { users: { name: string }[] }).users.map((u) => u.name);
              expect(names).toContain(mine);
              for (const other of [f.userTA, f.userTAB, 'local-admin']) expect(names).not.toContain(other);
            },
          };
        },
      },
      'GET /v1/admin/keys': {
        attacks: () => [],
        control: async () => ({
          path: '/v1/admin/keys',
          ok: 200,
          check: (b) => {
            const keys = (b as { keys: { id: string; tenant_id: string }[] }).keys;
            expect(keys.map((k) => k.id)).not.toContain(f.keyTA);
            expect(keys.every((k) => k.tenant_id === f.TB)).toBe(true);
          },
        }),
      },
    };

    /** One of the tenant's stored documents. */
    const docOf = (tenant: string, nth = 0) =>
      asOwner(s.app.db, async (db) => {
        const { rows } = await db.query<{ d: string }>(
          'SELECT document_id AS d FROM model_events WHERE tenant_id = $1 AND document_id IS NOT NULL ORDER BY document_id LIMIT 1 OFFSET $2',
          [tenant, nth],
        );
        return rows[0]?.d as string;
      });

    /** Every row of every table an administrative or write route changes. */
    const snapshot = () =>
      asOwner(s.app.db, async (db) => {
        const out: Record<string, string[]> = {};
        for (const t of [
          'users',
          'api_keys',
          'encryption_keys',
          'models',
          'model_versions',
          'deployments',
          'active_versions',
          'experiments',
          'alerts',
          'alert_rules',
          'audit_log',
          'document_controls',
          'redaction_recognizers',
          'redaction_allow',
          'otlp_log_contents',
        ]) {
          // encryption_keys.seals counts use (reported every second), not a change by the caller.
          const { rows } = await db.query<{ r: string }>(`SELECT (to_jsonb(x) - 'seals')::text AS r FROM ${t} x`);
          out[t] = rows.map((r) => r.r).sort();
        }
        const { rows } = await db.query<{ r: string }>(`SELECT tenant_id || ':' || count(*) AS r FROM model_events GROUP BY tenant_id`);
        out.model_events = rows.map((r) => r.r).sort();
        return out;
      });

    beforeAll(async () => {
      s = await startServer(mode, { alertEvaluateMs: 0, auditCheckpointMs: 0 });
      const keyA = await ingestKey(s.url, f.TA);
      const keyB = await ingestKey(s.url, f.TB);
      f.keyTA = keyA.id;
      const traced = (t: string) =>
        makeEvent({ tenant_id: t, trace: { input: { q: t }, output: { a: 1 }, decision_rationale: 'why', confidence_score: 0.9 } });
      for (const [k, t] of [
        [keyA.key, f.TA],
        [keyB.key, f.TB],
      ] as const) {
        const r = await call(`${s.url}/v1/events`, k, { method: 'POST', body: JSON.stringify({ events: [traced(t), traced(t)] }) });
        expect(r.status).toBe(202);
      }
      // The writer has stored them (server mode writes behind the bus) before any snapshot.
      await until(
        () =>
          asOwner(s.app.db, (db) =>
            db.query<{ n: number }>(`SELECT count(*)::int AS n FROM model_events WHERE tenant_id IN ($1, $2)`, [f.TA, f.TB]),
          ),
        (r) => r.rows[0]?.n === 4,
      );
      f.userTA = (await admin('POST', '/v1/admin/users', { name: uniq('walk-ta-'), role: 'admin', tenants: [f.TA] })).name;
      f.userTAB = (await admin('POST', '/v1/admin/users', { name: uniq('walk-tab-'), role: 'viewer', tenants: [f.TA, f.TB] })).name;
      await s.app.identity.ensureLocalAdmin();
      const a = await freshModel();
      f.modelA = a.name;
      await admin('POST', `/v1/models/${a.name}/deployments`, { version: '2', tenants: [f.TA], reason: 'route walk' });
      const all = await freshModel();
      f.modelAll = all.name;
      await admin('POST', `/v1/models/${all.name}/deployments`, { version: '2', reason: 'route walk' });
      // Every tenant and TA run the same version, TA by a deployment of its own.
      const mixed = await freshModel();
      f.modelMixed = mixed.name;
      await admin('POST', `/v1/models/${mixed.name}/deployments`, { version: '2', tenants: [f.TA], reason: 'route walk' });
      await admin('POST', `/v1/models/${mixed.name}/deployments`, { version: '1', tenants: [f.TA], reason: 'route walk' });
      const x = await freshModel();
      f.stageX = x.stage;
      f.modelX = x.name;
      f.experimentA = await experiment([f.TA]);
      f.experimentAll = await experiment(null);
      f.alertTA = await openAlert(f.TA);
      f.recognizerTA = (await admin('POST', '/v1/recognizers', { tenant_id: f.TA, name: 'walk-ta', pattern: 'WALKTA-[0-9]+' })).id;
      f.allowTA = (await admin('POST', '/v1/redaction/allow', { tenant_id: f.TA, term: 'Walk TA' })).id;
      f.alertAll = await openAlert(null);
      for (const role of ROLES) {
        creds.push({
          label: role,
          token: (await userToken(s.url, role, [f.TB])).token,
          permissions: permissionsOf(role),
          star: (await userToken(s.url, role, ['*'])).token,
        });
      }
      creds.push({ label: 'ingest key', token: keyB.key, permissions: INGEST_KEY_PERMISSIONS, star: null });
    }, 120_000);
    afterAll(() => s?.close());

    const writeRoutes = () => s.app.routeTable.filter((r) => !['GET', 'HEAD', 'OPTIONS'].includes(r.method) && r.permission !== 'public');
    const permissionOf = (key: string) => {
      const [method, url] = key.split(' ');
      const r = s.app.routeTable.find((x) => x.method === method && x.url === url);
      if (!r) throw new Error(`${key}: no such route registered (a stale entry)`);
      return r.permission as Permission;
    };
    const send = (token: string, key: string, path: string, body: unknown) => {
      const method = key.split(' ')[0] as string;
      return call(`${s.url}${path}`, token, body === undefined ? { method } : { method, body: JSON.stringify(body) });
    };

    it('the services refuse the same without HTTP (what the CLI in direct mode calls)', async () => {
      const tb: RequestContext = {
        ...SYSTEM_CONTEXT,
        principal: { kind: 'user', id: 'walk', name: 'walk' },
        scope: [f.TB],
      };
      const status = (p: Promise<unknown>) =>
        p.then(
          () => 200,
          (e: { statusCode?: number }) => e.statusCode ?? 500,
        );
      const before = await snapshot();
      expect(await status(s.app.admin.createKey(tb, f.TA))).toBe(403);
      expect(await status(s.app.admin.revokeKey(tb, f.keyTA))).toBe(404);
      expect(await status(s.app.admin.rotateKey(tb, f.TA))).toBe(403);
      expect(await status(s.app.admin.eraseTenant(tb, f.TA))).toBe(403);
      expect(await status(s.app.admin.createUser(tb, { name: uniq('walk-evil-'), role: 'admin', tenants: '*' }))).toBe(403);
      expect(await status(s.app.admin.issueToken(tb, 'local-admin'))).toBe(404);
      expect(await status(s.app.admin.disableUser(tb, f.userTA))).toBe(404);
      expect(await status(s.app.admin.runRetention(tb))).toBe(403);
      expect((await s.app.admin.listUsers(tb)).map((u) => u.name)).not.toContain(f.userTA);
      expect(await status(s.app.registry.registerVersion(tb.principal, tb.scope, f.modelA, { version: '8', reason: 'evil' }))).toBe(403);
      expect(await status(s.app.experiments.stop(tb.principal, tb.scope, f.experimentA, 'evil'))).toBe(404);
      expect(await status(s.app.alerts.acknowledge(tb.principal, tb.scope, f.alertTA, null))).toBe(404);
      expect(await status(s.app.alerts.evaluateNow(tb.scope))).toBe(403);
      expect(await snapshot()).toEqual(before);
    });

    it('has an entry for every write route the server registers', () => {
      const routes = writeRoutes().map((r) => `${r.method} ${r.url}`);
      expect(routes.length).toBeGreaterThan(20);
      expect(
        routes.filter((k) => !(k in WALK)),
        'write routes without a WALK entry: add one',
      ).toEqual([]);
      for (const k of [...Object.keys(WALK), ...Object.keys(READS)]) permissionOf(k);
    });

    it("refuses every tenant-TB credential on TA's objects and on what every tenant shares, and nothing changes", async () => {
      // Background work (audit batches of the fixtures' events) has settled.
      let before = await snapshot();
      for (let again = await snapshot(); JSON.stringify(again) !== JSON.stringify(before); again = await snapshot()) {
        before = again;
        await sleep(200);
      }
      let calls = 0;
      for (const [key, w] of Object.entries({ ...WALK, ...READS })) {
        const permission = permissionOf(key);
        for (const c of creds) {
          for (const a of w.attacks(f)) {
            const r = await send(c.token, key, a.path, a.body);
            calls++;
            const why = `${c.label} (tenant TB) → ${key}: ${a.what}: ${r.status} ${JSON.stringify(r.body).slice(0, 300)}`;
            // Soft: one run lists every hole, not only the first.
            if (!c.permissions.includes(permission)) expect.soft([401, 403], why).toContain(r.status);
            else {
              expect.soft(r.status, why).toBe(a.refuse);
              // The refusal names what the caller named: the tenant, or the field.
              if (a.refuse === 403 && (a.body as { tenants?: string[] } | undefined)?.tenants?.includes(f.TA))
                expect.soft(r.body.message, why).toContain(f.TA);
              if (a.refuse === 400 && key === 'POST /v1/events') expect.soft(JSON.stringify(r.body), why).toContain('/tenant_id');
              // 404s read the same as for an object that does not exist: nothing about TA.
              if (a.refuse === 404) expect.soft(JSON.stringify(r.body), why).not.toContain(f.TA);
            }
          }
        }
      }
      expect(calls).toBeGreaterThan(150);
      expect(await snapshot()).toEqual(before);
    }, 120_000);

    it("a TB credential's rollback preview for every tenant shows none of TA's running versions", async () => {
      const viewer = creds.find((c) => c.label === 'viewer') as (typeof creds)[number];
      const r = await send(viewer.token, 'POST x', `/v1/models/${f.modelMixed}/rollback/preview`, { to_version: '2' });
      expect(r.status, JSON.stringify(r.body)).toBe(200);
      // The global admin sees TA among those running the current version; TB's viewer must not.
      const all = await admin('POST', `/v1/models/${f.modelMixed}/rollback/preview`, { to_version: '2' });
      expect(all.running.map((x: { tenant: string }) => x.tenant)).toEqual(expect.arrayContaining(['*', f.TA]));
      expect(r.body.running.map((x: { tenant: string }) => x.tenant)).toEqual(['*']);
      expect(JSON.stringify(r.body)).not.toContain(f.TA);
    });

    it('the same calls on TB’s own objects succeed for every credential that holds the permission', async () => {
      const walks = Object.entries({ ...WALK, ...READS }).sort(([, a], [, b]) => Number(!!a.last) - Number(!!b.last));
      const succeeded = new Set<string>();
      for (const [key, w] of walks) {
        const permission = permissionOf(key);
        for (const c of creds) {
          const ctl = await w.control(f);
          const token = ctl.global ? c.star : c.token;
          if (token === null) continue;
          const r = await send(token, key, ctl.path, ctl.body);
          const why = `${c.label}${ctl.global ? ' (every tenant)' : ' (tenant TB)'} → ${key} on its own: ${r.status} ${JSON.stringify(r.body).slice(0, 300)}`;
          if (!c.permissions.includes(permission)) {
            expect([401, 403], why).toContain(r.status);
            continue;
          }
          expect(r.status, why).toBe(ctl.ok);
          ctl.check?.(r.body);
          succeeded.add(key);
        }
      }
      // Every entry had at least one credential able to make its call.
      expect(walks.map(([k]) => k).filter((k) => !succeeded.has(k))).toEqual([]);
    }, 180_000);
  });
}
