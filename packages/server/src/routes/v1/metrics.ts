import { CostRow, ErrorResponse, EventFilter, MetricsQuery, MetricsRow, MetricsTimeseries } from '@frostbyte/contracts';
import { badRequest } from '../../kernel/errors.ts';
import { requireInScope } from '../../kernel/tenant-scope.ts';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';

export const metricRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.get(
    '/v1/metrics/summary',
    {
      config: { permission: 'metrics:read' },
      schema: {
        tags: ['metrics'],
        summary: 'Per stage and model version over a window: calls, in flight, error rate, latency percentiles, throughput, tokens, cost, status',
        querystring: MetricsQuery,
        response: { 200: Type.Object({ window_s: Type.Integer(), generated_at: Type.String(), rows: Type.Array(MetricsRow) }), 400: ErrorResponse },
      },
    },
    async (req) => {
      const { window = 300, ...filter } = req.query;
      return { window_s: window, generated_at: new Date().toISOString(), rows: await app.eventStats.metricsSummary(req.ctx.scope, filter, window) };
    },
  );

  app.get(
    '/v1/metrics/timeseries',
    {
      config: { permission: 'metrics:read' },
      schema: {
        tags: ['metrics'],
        summary: 'Calls, errors, latency percentiles, tokens and cost per model version in time buckets',
        querystring: Type.Composite([
          EventFilter,
          Type.Object({
            window: Type.Optional(Type.Integer({ minimum: 10, maximum: 30 * 86400, default: 900 })),
            step: Type.Optional(Type.Integer({ minimum: 1, maximum: 86400, default: 10 })),
          }),
        ]),
        response: { 200: MetricsTimeseries, 400: ErrorResponse },
      },
    },
    async (req) => {
      const { window = 900, step = 10, ...filter } = req.query;
      if (window / step > 2000) throw badRequest(`window/step gives ${Math.ceil(window / step)} buckets; at most 2000 — raise step`);
      return { step_s: step, series: await app.eventStats.timeseries(req.ctx.scope, filter, window, step) };
    },
  );

  app.get(
    '/v1/costs',
    {
      config: { permission: 'metrics:read' },
      schema: {
        tags: ['metrics'],
        summary: 'Cost and tokens grouped by model, document, tenant or stage (server-computed prices)',
        querystring: Type.Object({
          group_by: Type.Union([Type.Literal('model'), Type.Literal('document'), Type.Literal('tenant'), Type.Literal('stage')], { default: 'model' }),
          tenant_id: EventFilter.properties.tenant_id,
          from: Type.Optional(Type.String({ format: 'date-time' })),
          to: Type.Optional(Type.String({ format: 'date-time' })),
        }),
        response: {
          200: Type.Object({
            group_by: Type.String(),
            from: Type.String(),
            to: Type.String(),
            rows: Type.Array(CostRow),
            total_cost_usd: Type.Number(),
          }),
          400: ErrorResponse,
        },
      },
    },
    async (req) => {
      const to = req.query.to ? new Date(req.query.to) : new Date(Date.now() + 3600_000);
      const from = req.query.from ? new Date(req.query.from) : new Date(to.getTime() - 86_400_000 - 3600_000);
      if (from >= to) throw badRequest('`from` must be before `to`');
      const groupBy = req.query.group_by ?? 'model';
      const tenant = req.query.tenant_id;
      requireInScope(req.ctx.scope, tenant);
      const rows = await app.eventStats.costs(tenant ? [tenant] : req.ctx.scope, groupBy, from, to);
      return { group_by: groupBy, from: from.toISOString(), to: to.toISOString(), rows, total_cost_usd: rows.reduce((s, r) => s + r.cost_usd, 0) };
    },
  );
};
