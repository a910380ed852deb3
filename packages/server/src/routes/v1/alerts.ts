import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Alert, AlertActionBody, AlertListQuery, AlertRulesState, AlertRulesUpdate, ErrorResponse, IdParam } from '@frostbyte/contracts';
import { Type } from '@sinclair/typebox';

const errors = { 400: ErrorResponse, 403: ErrorResponse, 404: ErrorResponse, 409: ErrorResponse };
const OptionalNote = Type.Union([AlertActionBody, Type.Null()]);

/** `/v1/alerts`: bottleneck, error-rate, latency, cost-spike and silent-stage alerts
 * (also pushed on the SSE stream as `alert` events). */
export const alertRoutes: FastifyPluginAsyncTypebox = async (app) => {

  app.get(
    '/v1/alerts',
    {
      config: { permission: 'alerts:read' },
      schema: {
        tags: ['alerts'],
        summary: 'Alerts, unresolved first, newest first',
        querystring: AlertListQuery,
        response: { 200: Type.Object({ alerts: Type.Array(Alert) }), 400: ErrorResponse },
      },
    },
    async (req) => ({ alerts: await app.alerts.list(req.ctx.scope, req.query) }),
  );

  // Two hand transitions of an alert, the same shape: who, which alert, an optional note.
  const transitions = [
    { path: 'ack', summary: 'Acknowledge an open alert (someone is on it)', method: 'acknowledge' as const },
    {
      path: 'resolve',
      summary: 'Resolve an alert by hand (the evaluator also resolves it when the condition clears)',
      method: 'resolve' as const,
    },
  ];
  for (const t of transitions) {
    app.post(
      `/v1/alerts/:id/${t.path}`,
      {
        config: { permission: 'alerts:write' },
        schema: { tags: ['alerts'], summary: t.summary, params: IdParam, body: OptionalNote, response: { 200: Alert, ...errors } },
      },
      async (req) => app.alerts[t.method](req.ctx.principal, req.ctx.scope, req.params.id, req.body?.note ?? null),
    );
  }

  app.post(
    '/v1/alerts/evaluate',
    {
      config: { permission: 'alerts:write' },
      schema: {
        tags: ['alerts'],
        summary:
          'Evaluate the alert rules now (they also run every few seconds); returns the unresolved alerts. It judges every tenant, so it needs a credential for every tenant',
        response: { 200: Type.Object({ alerts: Type.Array(Alert) }), 400: ErrorResponse, 403: ErrorResponse },
      },
    },
    async (req) => {
      await app.alerts.evaluateNow(req.ctx.scope);
      return { alerts: await app.alerts.list(req.ctx.scope, { state: 'active', limit: 500 }) };
    },
  );

  app.get(
    '/v1/alerts/rules',
    {
      config: { permission: 'alerts:read' },
      schema: {
        tags: ['alerts'],
        summary: 'The alert thresholds in force, the defaults, and who changed them last',
        response: { 200: AlertRulesState },
      },
    },
    async () => app.alerts.rulesState(),
  );

  app.patch(
    '/v1/alerts/rules',
    {
      config: { permission: 'alerts:write' },
      schema: {
        tags: ['alerts'],
        summary:
          'Change some thresholds (only the fields sent); applies to every tenant, so it needs a credential for every tenant; audited with old and new values',
        body: AlertRulesUpdate,
        response: { 200: AlertRulesState, ...errors },
      },
    },
    async (req) => app.alerts.updateRules(req.ctx.principal, req.ctx.scope, req.body),
  );

  app.delete(
    '/v1/alerts/rules',
    {
      config: { permission: 'alerts:write' },
      schema: { tags: ['alerts'], summary: 'Back to the default thresholds (audited)', response: { 200: AlertRulesState, ...errors } },
    },
    async (req) => app.alerts.resetRules(req.ctx.principal, req.ctx.scope),
  );
};
