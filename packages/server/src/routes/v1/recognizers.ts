import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { ErrorResponse, TENANT_PATTERN } from '@frostbyte/contracts';
import { ENTITY_TYPES, MAX_PATTERN_LENGTH } from '@frostbyte/redact';
import { Type } from '@sinclair/typebox';
import { forbidden } from '../../kernel/errors.ts';
import { inScope } from '../../kernel/tenant-scope.ts';

const Tenant = Type.String({ pattern: TENANT_PATTERN });
const Id = Type.String({ format: 'uuid' });
const Entity = Type.Union(ENTITY_TYPES.map((t) => Type.Literal(t)));
const Checksum = Type.Union([Type.Literal('none'), Type.Literal('luhn'), Type.Literal('iban')]);

const RecognizerBody = Type.Object(
  {
    tenant_id: Type.Optional(
      Type.Union([Tenant, Type.Null()], { description: 'The tenant; null or absent: deployment-wide (needs access to every tenant).' }),
    ),
    name: Type.String({ pattern: '^[A-Za-z0-9_.-]{1,64}$', description: 'Shown in redaction summaries.' }),
    pattern: Type.String({
      minLength: 1,
      maxLength: MAX_PATTERN_LENGTH,
      description: 'RE2 syntax (linear time): no back-references, no look-arounds.',
    }),
    entity: Type.Optional(Entity),
    context: Type.Optional(Type.Array(Type.String({ minLength: 1, maxLength: 40 }), { maxItems: 20 })),
    context_window: Type.Optional(Type.Integer({ minimum: 1, maximum: 200 })),
    checksum: Type.Optional(Checksum),
    case_insensitive: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false },
);
const Recognizer = Type.Object({
  id: Type.String(),
  tenant_id: Type.Union([Type.String(), Type.Null()]),
  name: Type.String(),
  pattern: Type.String(),
  entity: Type.Optional(Entity),
  context: Type.Optional(Type.Array(Type.String())),
  context_window: Type.Optional(Type.Integer()),
  checksum: Type.Optional(Checksum),
  case_insensitive: Type.Optional(Type.Boolean()),
  created_at: Type.String(),
  created_by: Type.String(),
});
const Allow = Type.Object({
  id: Type.String(),
  tenant_id: Type.Union([Type.String(), Type.Null()]),
  term: Type.String(),
  created_at: Type.String(),
  created_by: Type.String(),
});
const RedactionConfig = Type.Object({
  tenant: Type.Union([Type.String(), Type.Null()]),
  revision: Type.String(),
  recognizers: Type.Array(Type.Omit(Recognizer, ['id', 'tenant_id', 'created_at', 'created_by'])),
  allow: Type.Array(Type.String()),
});

/**
 * `/v1/recognizers` and `/v1/redaction/*`: users' own redaction rules (issue 14).
 * Handlers are thin; redaction/recognizer-service.ts validates, stores, audits and
 * reloads what ingest applies.
 */
export const recognizerRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const svc = () => app.services.recognizers;

  app.get(
    '/v1/recognizers',
    {
      config: { permission: 'registry:read' },
      schema: {
        tags: ['redaction'],
        summary: "Users' recognizers and allow-list terms the caller may see: its tenants' and the deployment-wide ones",
        querystring: Type.Object({ tenant_id: Type.Optional(Tenant) }),
        response: {
          200: Type.Object({ recognizers: Type.Array(Recognizer), allow: Type.Array(Allow) }),
          400: ErrorResponse,
          403: ErrorResponse,
        },
      },
    },
    async (req) => svc().list(req.ctx.scope, req.query.tenant_id ?? null),
  );

  app.post(
    '/v1/recognizers',
    {
      config: { permission: 'registry:write' },
      schema: {
        tags: ['redaction'],
        summary:
          'Add a recognizer (audited as recognizer.create); applied to ingest at once and served to the SDK by GET /v1/redaction/config',
        body: RecognizerBody,
        response: { 201: Recognizer, 400: ErrorResponse, 403: ErrorResponse, 409: ErrorResponse },
      },
    },
    async (req, reply) => {
      const { tenant_id, ...spec } = req.body;
      const row = await svc().createRecognizer(req.ctx.principal, req.ctx.scope, tenant_id ?? null, spec);
      return reply.code(201).send(row);
    },
  );

  app.delete(
    '/v1/recognizers/:id',
    {
      config: { permission: 'registry:write' },
      schema: {
        tags: ['redaction'],
        summary: 'Remove a recognizer (audited as recognizer.delete)',
        params: Type.Object({ id: Id }),
        response: { 204: Type.Null(), 400: ErrorResponse, 403: ErrorResponse, 404: ErrorResponse },
      },
    },
    async (req, reply) => {
      await svc().remove(req.ctx.principal, req.ctx.scope, 'recognizer', req.params.id);
      return reply.code(204).send(null);
    },
  );

  app.post(
    '/v1/redaction/allow',
    {
      config: { permission: 'registry:write' },
      schema: {
        tags: ['redaction'],
        summary: 'Allow-list a term: never redacted, whichever detector finds it (audited as redaction.allow.create)',
        body: Type.Object(
          { tenant_id: Type.Optional(Type.Union([Tenant, Type.Null()])), term: Type.String({ minLength: 1, maxLength: 200 }) },
          { additionalProperties: false },
        ),
        response: { 201: Allow, 400: ErrorResponse, 403: ErrorResponse, 409: ErrorResponse },
      },
    },
    async (req, reply) =>
      reply.code(201).send(await svc().createAllow(req.ctx.principal, req.ctx.scope, req.body.tenant_id ?? null, req.body.term)),
  );

  app.delete(
    '/v1/redaction/allow/:id',
    {
      config: { permission: 'registry:write' },
      schema: {
        tags: ['redaction'],
        summary: 'Remove an allow-list term (audited as redaction.allow.delete)',
        params: Type.Object({ id: Id }),
        response: { 204: Type.Null(), 400: ErrorResponse, 403: ErrorResponse, 404: ErrorResponse },
      },
    },
    async (req, reply) => {
      await svc().remove(req.ctx.principal, req.ctx.scope, 'allow', req.params.id);
      return reply.code(204).send(null);
    },
  );

  app.get(
    '/v1/redaction/config',
    {
      config: { permission: 'pipeline:config' },
      schema: {
        tags: ['redaction'],
        summary:
          "The redaction rules for a tenant, as the SDK applies them before data leaves the process (an ingest key reads its own tenant's). Send If-None-Match with the last ETag for a cheap 304",
        querystring: Type.Object({ tenant: Type.Optional(Tenant) }),
        headers: Type.Object({ 'if-none-match': Type.Optional(Type.String({ maxLength: 100 })) }),
        response: { 200: RedactionConfig, 304: Type.Null(), 400: ErrorResponse, 403: ErrorResponse },
      },
    },
    async (req, reply) => {
      const tenant = req.query.tenant ?? req.ctx.tenant ?? null;
      if (tenant !== null && req.ctx.tenant !== tenant && !inScope(req.ctx.scope, tenant)) throw forbidden('no access to that tenant');
      const config = svc().configFor(tenant);
      const etag = `"${config.revision}"`;
      reply.header('etag', etag).header('cache-control', 'no-cache');
      if (req.headers['if-none-match'] === etag) return reply.code(304).send(null);
      return config;
    },
  );
};
