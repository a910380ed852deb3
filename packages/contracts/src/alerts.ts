import { type Static, Type } from '@sinclair/typebox';
import { TENANT_PATTERN } from './ids.ts';
import { StageName } from './models.ts';
import { Nullable } from './schema-helpers.ts';

/**
 * Alerts (`/v1/alerts`, and the `alert` frames of `GET /telemetry/stream`): the alert
 * itself, the thresholds its rules judge by, and the list / acknowledge / resolve shapes.
 */

/** The rules the server evaluates (one module each under packages/server/src/alerts/rules),
 * in the order it evaluates them. */
export const AlertRuleId = Type.Union([
  Type.Literal('bottleneck'),
  Type.Literal('latency_p95'),
  Type.Literal('error_rate'),
  Type.Literal('stage_silent'),
  Type.Literal('cost_spike'),
  Type.Literal('writer_quarantine'),
]);
export type AlertRuleId = Static<typeof AlertRuleId>;

export const Alert = Type.Object(
  {
    id: Type.String(),
    tenant_id: Type.Union([Type.String(), Type.Null()]),
    rule: AlertRuleId,
    severity: Type.Union([Type.Literal('info'), Type.Literal('warning'), Type.Literal('critical')]),
    stage: Type.Union([Type.String(), Type.Null()]),
    model_name: Type.Union([Type.String(), Type.Null()]),
    message: Type.String(),
    state: Type.Union([Type.Literal('open'), Type.Literal('acknowledged'), Type.Literal('resolved')]),
    opened_at: Type.String({ format: 'date-time' }),
    updated_at: Type.String({ format: 'date-time' }),
    details: Type.Record(Type.String(), Type.Unknown()),
  },
  { $id: 'Alert' },
);
export type Alert = Static<typeof Alert>;

/** The thresholds of the bottleneck detector and the alert rules (one set for the whole
 * observatory; `PUT /v1/alerts/rules` changes them, audited). */
export const AlertRules = Type.Object(
  {
    window_s: Type.Integer({ minimum: 10, maximum: 86_400, description: 'Recent window the rules judge, seconds.' }),
    baseline_s: Type.Integer({ minimum: 60, maximum: 7 * 86_400, description: 'Baseline window before it, seconds.' }),
    latency_factor: Type.Number({ minimum: 1, maximum: 1000, description: 'p95 at least this many times its baseline p95 …' }),
    latency_floor_ms: Type.Number({ minimum: 0, maximum: 3_600_000, description: '… and at least this many ms.' }),
    min_window_calls: Type.Integer({ minimum: 1, maximum: 1_000_000, description: 'Calls in the window before latency is judged.' }),
    min_baseline_calls: Type.Integer({ minimum: 1, maximum: 1_000_000, description: 'Calls in the baseline before latency is judged.' }),
    error_rate_warning: Type.Number({ minimum: 0, maximum: 1, description: 'Error rate over the window that raises a warning (0.1 = 10 %).' }),
    error_rate_critical: Type.Number({ minimum: 0, maximum: 1, description: 'Error rate that makes it critical; at least the warning rate.' }),
    min_error_calls: Type.Integer({ minimum: 1, maximum: 1_000_000, description: 'Calls in the window before the error rate is judged.' }),
    backlog_min: Type.Integer({ minimum: 1, maximum: 1_000_000, description: 'Invocations in flight that make a backlog …' }),
    backlog_factor: Type.Number({ minimum: 1, maximum: 1000, description: "… when also this many times the next stage's." }),
    share_bottleneck: Type.Number({ minimum: 0, maximum: 1, description: 'Share of end-to-end latency that names the slowest stage a bottleneck.' }),
    cost_factor: Type.Number({ minimum: 1, maximum: 1000, description: "Last hour's cost at least this many times the previous hour's …" }),
    cost_floor_usd: Type.Number({ minimum: 0, maximum: 1_000_000, description: '… and at least this many dollars.' }),
    silent_after_s: Type.Integer({ minimum: 10, maximum: 86_400, description: 'A stage with nothing for this long while others work is silent …' }),
    silent_min_baseline_calls: Type.Integer({ minimum: 1, maximum: 1_000_000, description: '… if it had at least this many calls in the baseline.' }),
  },
  { additionalProperties: false },
);
export type AlertRules = Static<typeof AlertRules>;

export const AlertRulesUpdate = Type.Partial(AlertRules, { additionalProperties: false, minProperties: 1 });
export type AlertRulesUpdate = Static<typeof AlertRulesUpdate>;

export const AlertRulesState = Type.Object({
  rules: AlertRules,
  defaults: AlertRules,
  updated_at: Nullable(Type.String({ format: 'date-time', description: 'Null while the defaults apply.' })),
  updated_by: Nullable(Type.String()),
});
export type AlertRulesState = Static<typeof AlertRulesState>;

export const AlertListQuery = Type.Object({
  state: Type.Optional(
    Type.Union([Type.Literal('open'), Type.Literal('acknowledged'), Type.Literal('resolved'), Type.Literal('active')], {
      description: '`active` = open or acknowledged.',
    }),
  ),
  stage: Type.Optional(StageName),
  rule: Type.Optional(Type.String({ maxLength: 64 })),
  tenant_id: Type.Optional(
    Type.String({
      pattern: TENANT_PATTERN,
      description: "One tenant's alerts. Without it: every alert the caller may see (pipeline-wide ones only for those who see every tenant).",
    }),
  ),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500, default: 100 })),
});
export type AlertListQuery = Static<typeof AlertListQuery>;

export const AlertActionBody = Type.Object({ note: Type.Optional(Type.String({ maxLength: 2000 })) }, { additionalProperties: false });
