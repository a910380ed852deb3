import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { ErrorResponse } from '@frostbyte/contracts';
import { Type } from '@sinclair/typebox';
import { notFound } from '../../kernel/errors.ts';

const Nullable = <T extends ReturnType<typeof Type.String>>(t: T) => Type.Union([t, Type.Null()]);
const Record = Type.Object({
  id: Type.String(),
  tenant_id: Nullable(Type.String()),
  event_id: Nullable(Type.String()),
  seq: Type.String(),
  sqlstate: Nullable(
    Type.String({ description: "PostgreSQL's error code; null when the server's own code refused the record (hashing, encoding)" }),
  ),
  error: Type.String(),
  record: Type.String({
    description: 'The bus record as JSON text (redacted and sealed as on the bus; NUL, lone surrogates and non-finite numbers escaped)',
  }),
  attempts: Type.Integer(),
  first_seen: Type.String({ format: 'date-time' }),
  last_seen: Type.String({ format: 'date-time' }),
});
const errors = { 400: ErrorResponse, 401: ErrorResponse, 403: ErrorResponse, 404: ErrorResponse };

/**
 * The writer's quarantine (storage/quarantine.ts): accepted records it could not
 * store, each with why. Under `events:read`: a quarantined record is one of the
 * caller's tenants' events that is missing from the history, held as the bus held it
 * (payloads sealed), so whoever may read the history may see what is missing from it.
 * Scoped like every read: a tenant's users see that tenant's rows only.
 */
export const quarantineRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.get(
    '/v1/quarantine',
    {
      config: { permission: 'events:read' },
      schema: {
        tags: ['events'],
        summary: 'Records the writer could not store, newest first, keyset-paginated',
        querystring: Type.Object(
          {
            tenant_id: Type.Optional(Type.String({ pattern: '^[a-z0-9][a-z0-9_-]{0,62}$' })),
            cursor: Type.Optional(Type.String({ maxLength: 200, pattern: '^[A-Za-z0-9_-]+$' })),
            limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500, default: 100 })),
          },
          { additionalProperties: false },
        ),
        response: { 200: Type.Object({ records: Type.Array(Record), next_cursor: Nullable(Type.String()) }), ...errors },
      },
    },
    async (req) => app.services.quarantine.list(req.ctx.scope, { ...req.query, limit: req.query.limit ?? 100 }),
  );

  app.get(
    '/v1/quarantine/:id',
    {
      config: { permission: 'events:read' },
      schema: {
        tags: ['events'],
        summary: 'One quarantined record',
        params: Type.Object({ id: Type.String({ pattern: '^[0-9a-fA-F-]{36}$' }) }),
        response: { 200: Record, ...errors },
      },
    },
    async (req) => {
      const r = await app.services.quarantine.get(req.ctx.scope, req.params.id);
      // Same answer for another tenant's row as for none at all.
      if (!r) throw notFound(`no quarantined record ${req.params.id}`);
      return r;
    },
  );
};
