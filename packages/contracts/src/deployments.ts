import { type Static, Type } from '@sinclair/typebox';
import { StageName, VersionName, VersionStats } from './models.ts';
import { Nullable, NullableIn, Reason, Tenants } from './schema-helpers.ts';

/**
 * Deployments of model versions (`/v1/models/:name/deploy`, `…/rollback`): the
 * deployment history, deploying, and the rollback preview and rollback.
 */

export const DeploymentKind = Type.Union([Type.Literal('deploy'), Type.Literal('rollback'), Type.Literal('traffic_split')]);
export type DeploymentKind = Static<typeof DeploymentKind>;

export const Deployment = Type.Object({
  id: Type.String(),
  model_name: Type.String(),
  stage: Type.String(),
  from_version: Nullable(
    Type.String({ description: 'Null when nothing was active, or tenants were on different versions (see from_by_tenant).' }),
  ),
  to_version: Type.String(),
  from_by_tenant: Type.Record(Type.String(), Nullable(Type.String())),
  tenants: Nullable(Type.Array(Type.String())),
  kind: DeploymentKind,
  actor: Type.String(),
  reason: Type.String(),
  experiment_id: Nullable(Type.String()),
  created_at: Type.String({ format: 'date-time' }),
});
export type Deployment = Static<typeof Deployment>;

const ExpectedCurrent = Type.Optional(
  NullableIn(Type.String({ minLength: 1, maxLength: 64 }), {
    description:
      'Optimistic concurrency: the version you saw active (null: none). If another deploy changed it since, the request fails with 409 and nothing changes.',
  }),
);

export const DeployBody = Type.Object(
  {
    version: VersionName,
    stage: Type.Optional(StageName),
    tenants: Type.Optional(NullableIn(Tenants)),
    reason: Reason,
    expected_current_version: ExpectedCurrent,
  },
  { additionalProperties: false },
);
export type DeployBody = Static<typeof DeployBody>;

export const RollbackPreviewBody = Type.Object(
  {
    to_version: Type.Optional(VersionName),
    tenants: Type.Optional(NullableIn(Tenants)),
    window_s: Type.Optional(
      Type.Integer({ minimum: 60, maximum: 30 * 86400, default: 3600, description: "Window of the current version's figures." }),
    ),
    history_s: Type.Optional(
      Type.Integer({
        minimum: 60,
        maximum: 30 * 86400,
        default: 7 * 86400,
        description: "How far back the target version's own history is read.",
      }),
    ),
  },
  { additionalProperties: false },
);
export type RollbackPreviewBody = Static<typeof RollbackPreviewBody>;

export const RollbackPreview = Type.Object({
  model_name: Type.String(),
  stage: Type.String(),
  current_version: Type.String(),
  target_version: Type.String(),
  target_was_deployed: Type.Boolean({ description: 'Whether the target ran before (it is in the deployment history).' }),
  tenants: Nullable(Type.Array(Type.String())),
  running: Type.Array(Type.Object({ stage: Type.String(), tenant: Type.String(), version: Type.String() }), {
    description: 'Where the current version is active now.',
  }),
  tenants_seen: Type.Array(Type.String(), { description: 'Tenants with events on the current version in the window.' }),
  current: VersionStats,
  target: VersionStats,
  delta: Type.Object({
    error_rate: Nullable(Type.Number()),
    p95_ms: Nullable(Type.Number()),
    cost_per_call_usd: Nullable(Type.Number()),
  }),
  in_flight: Type.Object({
    count: Type.Integer({ description: 'Invocations started on the current version with no end yet; they finish on it.' }),
    invocation_ids: Type.Array(Type.String(), { maxItems: 50 }),
    by_tenant: Type.Record(Type.String(), Type.Integer()),
  }),
  expected_cost_change: Type.Object({
    per_call_delta_usd: Nullable(Type.Number()),
    current_calls_per_hour: Type.Number(),
    per_hour_usd: Nullable(Type.Number()),
    per_day_usd: Nullable(Type.Number()),
    target_cost_source: Type.Union([Type.Literal('history'), Type.Literal('pricing'), Type.Literal('unknown')], {
      description: '`pricing`: the target has no history, so its per-call cost is its prices applied to the current average usage.',
    }),
  }),
  warnings: Type.Array(Type.String()),
  expected_current_version: Type.String({ description: 'Send this back with the rollback to make sure nothing changed in between.' }),
});
export type RollbackPreview = Static<typeof RollbackPreview>;

export const RollbackBody = Type.Object(
  {
    to_version: VersionName,
    tenants: Type.Optional(NullableIn(Tenants)),
    reason: Reason,
    expected_current_version: ExpectedCurrent,
  },
  { additionalProperties: false },
);
export type RollbackBody = Static<typeof RollbackBody>;
