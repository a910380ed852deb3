import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { AuditVerifyReport, ErrorResponse } from '@frostbyte/contracts';
import { Type } from '@sinclair/typebox';
import { actorOf } from '../../access/auth.ts';
import { buildBundle } from '../../audit/bundle.ts';
import { accessReport, readAuditOf } from '../../audit/read-audit.ts';
import { badRequest, notFound } from '../../kernel/errors.ts';
import { requireInScope } from '../../kernel/tenant-scope.ts';

const Tenant = Type.String({ pattern: '^(_system|[a-z0-9][a-z0-9_-]{0,62})$' });
const Entry = Type.Object({
  tenant_id: Type.String(),
  seq: Type.Integer(),
  ts: Type.String(),
  actor: Type.String(),
  action: Type.String(),
  target: Type.String(),
  details: Type.Record(Type.String(), Type.Unknown()),
  batch_root: Type.Optional(Type.Union([Type.String(), Type.Null()])),
  prev_hash: Type.String(),
  hash: Type.String(),
  /** Covered by a signed checkpoint (entries after the newest one are chained, not yet signed). */
  checkpointed: Type.Optional(Type.Boolean()),
});
const DAY_MS = 86_400_000;
const errors = { 400: ErrorResponse, 401: ErrorResponse, 403: ErrorResponse, 404: ErrorResponse };

/** The audit log: entries, one event's inclusion proof, verification, export. */
export const auditRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.get(
    '/v1/audit',
    {
      config: { permission: 'audit:read' },
      schema: {
        tags: ['audit'],
        summary: 'Audit entries, newest first, keyset-paginated',
        querystring: Type.Object({
          tenant_id: Type.Optional(Tenant),
          action: Type.Optional(Type.String({ maxLength: 64 })),
          actor: Type.Optional(Type.String({ maxLength: 128 })),
          from: Type.Optional(Type.String({ format: 'date-time' })),
          to: Type.Optional(Type.String({ format: 'date-time' })),
          cursor: Type.Optional(Type.String({ maxLength: 128 })),
          limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000, default: 100 })),
        }),
        response: { 200: Type.Object({ entries: Type.Array(Entry), next_cursor: Type.Union([Type.String(), Type.Null()]) }), ...errors },
      },
    },
    async (req) => {
      const page = await app.audit.list(req.ctx.scope, { ...req.query, limit: req.query.limit ?? 100 });
      const sizes = await app.audit.checkpointSizes(
        req.ctx.scope,
        page.entries.map((e) => e.tenant_id),
      );
      return { ...page, entries: page.entries.map((e) => ({ ...e, checkpointed: e.seq <= (sizes.get(e.tenant_id) ?? 0) })) };
    },
  );

  app.get(
    '/v1/audit/access',
    {
      config: { permission: 'audit:read' },
      schema: {
        tags: ['audit'],
        summary: 'The access report: who read which trace, how often, from the trace.read / trace.export entries',
        querystring: Type.Object({
          tenant_id: Type.Optional(Tenant),
          from: Type.Optional(Type.String({ format: 'date-time' })),
          to: Type.Optional(Type.String({ format: 'date-time' })),
        }),
        response: {
          200: Type.Object({
            rows: Type.Array(
              Type.Object({
                actor: Type.String(),
                tenant_id: Type.String(),
                event_id: Type.Union([Type.String(), Type.Null()]),
                document_id: Type.Union([Type.String(), Type.Null()]),
                purpose: Type.Union([Type.String(), Type.Null()]),
                reads: Type.Integer(),
                first_at: Type.String(),
                last_at: Type.String(),
              }),
            ),
            by_day: Type.Array(Type.Object({ day: Type.String(), actor: Type.String(), reads: Type.Integer() })),
          }),
          ...errors,
        },
      },
    },
    async (req) => {
      const t = req.query.tenant_id;
      requireInScope(req.ctx.scope, t);
      const to = req.query.to ?? new Date(Date.now() + 60_000).toISOString();
      const from = req.query.from ?? new Date(Date.parse(to) - 30 * DAY_MS).toISOString();
      if (Date.parse(from) > Date.parse(to)) throw badRequest('from must not be after to');
      // The reads counted in memory so far belong in the report.
      await readAuditOf(app.audit).flush();
      return accessReport(app.db, req.ctx.scope, { ...(t ? { tenant_id: t } : {}), from, to });
    },
  );

  app.get(
    '/v1/audit/bundle',
    {
      config: { permission: 'audit:export' },
      schema: {
        tags: ['audit'],
        summary: "A tenant's offline audit bundle (entries, inclusion proofs, signed checkpoints, public key) as a download",
        description: 'Format: docs/audit-bundle.md. Check it with `npm run frostbyte -- audit verify --bundle FILE`.',
        querystring: Type.Object({ tenant_id: Tenant }),
      },
    },
    async (req, reply) => {
      const t = req.query.tenant_id;
      requireInScope(req.ctx.scope, t);
      await readAuditOf(app.audit).flush();
      // The export is itself audited, and inside the bundle (signed at its head).
      await app.audit.record({
        tenant: t,
        actor: actorOf(req.ctx),
        action: 'audit.export',
        target: `audit:${t}`,
        details: { format: 'bundle' },
      });
      const bundle = await buildBundle(app.db, app.audit, t);
      const day = bundle.exported_at.slice(0, 10);
      return reply
        .header('content-type', 'application/json; charset=utf-8')
        .header('content-disposition', `attachment; filename="audit-bundle-${t}-${day}.json"`)
        .send(JSON.stringify(bundle, null, 1));
    },
  );

  app.get(
    '/v1/audit/proof/:event_id',
    {
      config: { permission: 'audit:read' },
      schema: {
        tags: ['audit'],
        summary: "Inclusion proof of one event in its batch's Merkle root, and that root's audit entry",
        params: Type.Object({ event_id: Type.String({ pattern: '^[0-9a-fA-F-]{36}$' }) }),
        response: {
          200: Type.Object({
            verified: Type.Boolean(),
            entry: Type.Object({
              tenant_id: Type.String(),
              seq: Type.Integer(),
              ts: Type.String(),
              hash: Type.String(),
              prev_hash: Type.String(),
              batch_root: Type.Union([Type.String(), Type.Null()]),
            }),
            leaf_hash: Type.String(),
            leaf_index: Type.Integer(),
            tree_size: Type.Integer(),
            proof: Type.Array(Type.String()),
          }),
          ...errors,
        },
      },
    },
    async (req) => {
      const found = await app.storage.getEvent(req.ctx.scope, req.params.event_id);
      const proof = found ? await app.audit.proof(req.ctx.scope, found.event) : null;
      // Same answer for another tenant's event as for none at all.
      if (!proof) throw notFound(`no audited event ${req.params.event_id}`);
      return proof;
    },
  );

  app.get(
    '/v1/audit/verify',
    {
      config: { permission: 'audit:verify' },
      schema: {
        tags: ['audit'],
        summary: 'Rehash every entry, check links and checkpoint signatures; name the first bad entry',
        description:
          'With events=true, the stored events (the last 30 days) are rehashed against the Merkle roots their batch entries recorded, so a model_events row changed after it was written fails verification (reason "events"). That reads every stored event of the tenant.',
        querystring: Type.Object({ tenant_id: Type.Optional(Tenant), events: Type.Optional(Type.Boolean({ default: false })) }),
        response: { 200: AuditVerifyReport, ...errors },
      },
    },
    async (req) => {
      const t = req.query.tenant_id;
      requireInScope(req.ctx.scope, t);
      return app.admin.verifyAudit(req.ctx, t, { events: req.query.events === true });
    },
  );

  app.get(
    '/v1/audit/export',
    {
      config: { permission: 'audit:export' },
      schema: {
        tags: ['audit'],
        summary: 'The audit log with its signed checkpoints and the verifier key, for offline verification',
        querystring: Type.Object({ tenant_id: Type.Optional(Tenant) }),
      },
    },
    async (req) => {
      const t = req.query.tenant_id;
      requireInScope(req.ctx.scope, t);
      return app.admin.exportAudit(req.ctx, t);
    },
  );

  app.get(
    '/v1/audit/checkpoints',
    {
      config: { permission: 'audit:read' },
      schema: {
        tags: ['audit'],
        summary: "A tenant's signed checkpoints (signed notes) and the key that verifies them",
        querystring: Type.Object({ tenant_id: Tenant }),
        response: {
          200: Type.Object({ origin: Type.String(), verifier_key: Type.String(), checkpoints: Type.Array(Type.String()) }),
          ...errors,
        },
      },
    },
    async (req) => {
      requireInScope(req.ctx.scope, req.query.tenant_id);
      return {
        origin: app.audit.origin,
        verifier_key: app.audit.verifierKey,
        checkpoints: await app.audit.checkpoints(req.ctx.scope, req.query.tenant_id),
      };
    },
  );
};
