import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { ErrorResponse, PipelineConfig, PipelineStatus, TENANT_PATTERN } from '@frostbyte/contracts';
import { Type } from '@sinclair/typebox';
import { requireInScope } from '../../kernel/tenant-scope.ts';

const Tenant = Type.String({ pattern: TENANT_PATTERN });

/** `/v1/pipeline`: what the pipeline runs (polled by the pipeline itself) and how it is
 * doing (the schematic). */
export const pipelineRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.get(
    '/v1/pipeline',
    {
      config: { permission: 'metrics:read' },
      schema: {
        tags: ['pipeline'],
        summary:
          'Stages ingest → parse → embed → policy → output: model identity, live status, in flight, throughput, p95 against baseline, the bottleneck and why, open alerts',
        querystring: Type.Object({
          tenant_id: Type.Optional(Tenant),
          window: Type.Optional(Type.Integer({ minimum: 10, maximum: 86400, default: 60, description: 'Seconds of the recent window.' })),
          baseline: Type.Optional(
            Type.Integer({
              minimum: 60,
              maximum: 7 * 86400,
              description: "Seconds of the baseline before the window. Default: the alert rules' baseline_s (GET /v1/alerts/rules).",
            }),
          ),
        }),
        response: { 200: PipelineStatus, 400: ErrorResponse, 403: ErrorResponse },
      },
    },
    async (req) => {
      const tenant = req.query.tenant_id ?? null;
      requireInScope(req.ctx.scope, tenant);
      const [alerts, rules] = await Promise.all([app.alerts.active(req.ctx.scope, tenant), app.alerts.rules()]);
      return app.pipelineMonitor.status(
        req.ctx.scope,
        { tenant, window_s: req.query.window ?? 60, baseline_s: req.query.baseline ?? rules.baseline_s },
        alerts,
        rules,
      );
    },
  );

  app.get(
    '/v1/pipeline/config',
    {
      config: { permission: 'pipeline:config' },
      schema: {
        tags: ['pipeline'],
        summary:
          'What the pipeline must run for a tenant: per stage the active model version and its configuration, and any experiment split. Poll it; send If-None-Match with the last ETag for a cheap 304',
        querystring: Type.Object({ tenant: Type.Optional(Tenant) }),
        headers: Type.Object({ 'if-none-match': Type.Optional(Type.String({ maxLength: 100 })) }),
        response: { 200: PipelineConfig, 304: Type.Null(), 400: ErrorResponse, 403: ErrorResponse },
      },
    },
    async (req, reply) => {
      // An ingest key reads its own tenant's configuration without naming it.
      const tenant = req.query.tenant ?? req.ctx.tenant ?? null;
      if (req.ctx.tenant !== tenant) requireInScope(req.ctx.scope, tenant);
      const config = await app.registry.pipelineConfig(tenant, req.ctx.scope);
      const etag = `"${config.revision}"`;
      reply.header('etag', etag).header('cache-control', 'no-cache');
      if (req.headers['if-none-match'] === etag) return reply.code(304).send(null);
      return config;
    },
  );
};
