import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { ErrorResponse } from '@frostbyte/contracts';
import { Type } from '@sinclair/typebox';
import { documentServiceOf, MAX_DOCUMENT_ID, MAX_HOLD_REASON } from '../../documents/document-service.ts';

const Tenant = Type.String({ pattern: '^[a-z0-9][a-z0-9_-]{0,62}$' });
const Params = Type.Object({ document_id: Type.String({ minLength: 1, maxLength: MAX_DOCUMENT_ID }) });
const Status = Type.Object({
  tenant_id: Type.String(),
  document_id: Type.String(),
  events: Type.Integer(),
  held: Type.Boolean(),
  held_at: Type.Union([Type.String(), Type.Null()]),
  hold_reason: Type.Union([Type.String(), Type.Null()]),
  erased: Type.Boolean(),
  erased_at: Type.Union([Type.String(), Type.Null()]),
});
const errors = { 400: ErrorResponse, 401: ErrorResponse, 403: ErrorResponse, 404: ErrorResponse, 409: ErrorResponse };

/** Per-document controls: status, erasure, legal hold (documents/document-service.ts). */
export const documentRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const docs = documentServiceOf(app.db, app.audit);

  app.get(
    '/v1/documents/:document_id',
    {
      config: { permission: 'audit:read' },
      schema: {
        tags: ['documents'],
        summary: "A document's controls: how many events, held or not, erased or not",
        params: Params,
        querystring: Type.Object({ tenant_id: Tenant }),
        response: { 200: Status, ...errors },
      },
    },
    async (req) => docs.status(req.ctx, req.query.tenant_id, req.params.document_id),
  );

  app.post(
    '/v1/documents/:document_id/erase',
    {
      config: { permission: 'documents:erase' },
      schema: {
        tags: ['documents'],
        summary: "Destroy a document's trace payloads for good (its events keep their metadata); 409 while held",
        params: Params,
        body: Type.Object({ tenant_id: Tenant, confirm: Type.Literal(true) }, { additionalProperties: false }),
        response: {
          200: Type.Object({
            tenant_id: Type.String(),
            document_id: Type.String(),
            erased_events: Type.Integer(),
            erased_traces: Type.Integer(),
            erased_logs: Type.Integer({ description: 'GenAI content received as OTLP logs for its spans, deleted' }),
            erased_at: Type.String(),
          }),
          ...errors,
        },
      },
    },
    async (req) => docs.erase(req.ctx, req.body.tenant_id, req.params.document_id),
  );

  app.post(
    '/v1/documents/:document_id/hold',
    {
      config: { permission: 'documents:hold' },
      schema: {
        tags: ['documents'],
        summary: 'Put a document under legal hold: retention keeps it and erasure refuses it until released',
        params: Params,
        body: Type.Object(
          { tenant_id: Tenant, reason: Type.String({ minLength: 1, maxLength: MAX_HOLD_REASON }) },
          { additionalProperties: false },
        ),
        response: { 200: Status, ...errors },
      },
    },
    async (req) => docs.hold(req.ctx, req.body.tenant_id, req.params.document_id, req.body.reason),
  );

  app.post(
    '/v1/documents/:document_id/release',
    {
      config: { permission: 'documents:hold' },
      schema: {
        tags: ['documents'],
        summary: "Release a document's legal hold (409 if it is not held)",
        params: Params,
        body: Type.Object({ tenant_id: Tenant }, { additionalProperties: false }),
        response: { 200: Status, ...errors },
      },
    },
    async (req) => docs.release(req.ctx, req.body.tenant_id, req.params.document_id),
  );
};
