import { forbidden, notFound } from '../../kernel/errors.ts';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { ErrorResponse } from '@frostbyte/contracts';
import { Type } from '@sinclair/typebox';
import type { TenantScope } from '../../kernel/tenant-scope.ts';

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
});
const errors = { 400: ErrorResponse, 401: ErrorResponse, 403: ErrorResponse, 404: ErrorResponse };
const inScope = (scope: TenantScope, t: string) => scope === '*' || scope.includes(t);

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
    async (req) => app.audit.list(req.ctx.scope, { ...req.query, limit: req.query.limit ?? 100 }),
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
        querystring: Type.Object({ tenant_id: Type.Optional(Tenant) }),
        response: {
          200: Type.Object({
            ok: Type.Boolean(),
            tenants: Type.Array(
              Type.Object({
                tenant_id: Type.String(),
                ok: Type.Boolean(),
                entries: Type.Optional(Type.Integer()),
                checkpoints: Type.Optional(Type.Integer()),
                unattested: Type.Optional(Type.Integer()),
                first_bad: Type.Optional(Type.Object({ seq: Type.Integer(), reason: Type.String(), detail: Type.String() })),
              }),
            ),
          }),
          ...errors,
        },
      },
    },
    async (req) => {
      const t = req.query.tenant_id;
      if (t && !inScope(req.ctx.scope, t)) throw forbidden('no access to that tenant');
      return app.admin.verifyAudit(req.ctx, t);
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
      if (t && !inScope(req.ctx.scope, t)) throw forbidden('no access to that tenant');
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
      if (!inScope(req.ctx.scope, req.query.tenant_id)) throw forbidden('no access to that tenant');
      return {
        origin: app.audit.origin,
        verifier_key: app.audit.verifierKey,
        checkpoints: await app.audit.checkpoints(req.ctx.scope, req.query.tenant_id),
      };
    },
  );
};
