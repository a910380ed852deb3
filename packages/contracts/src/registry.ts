import { type Static, type TSchema, Type } from '@sinclair/typebox';
import { TENANT_PATTERN } from './ids.ts';
import { Alert } from './sse.ts';

/**
 * The model registry API (`/v1/models`, `/v1/experiments`, `/v1/pipeline`,
 * `/v1/alerts`): request and response shapes, and the one rule the pipeline and the
 * server must compute identically — which experiment variant a document gets.
 */

const Nullable = <T extends TSchema>(t: T) => Type.Union([t, Type.Null()]);
/** For inputs: null first, or Ajv's type coercion would turn a null into '' or [null]. */
const NullableIn = <T extends TSchema>(t: T, o: object = {}) => Type.Union([Type.Null(), t], o);
const Slug = (description: string, maxLength = 128) =>
  Type.String({ minLength: 1, maxLength, pattern: '^[A-Za-z0-9][A-Za-z0-9._:/@+-]*$', description });

export const ModelName = Slug('Model name, e.g. `frostbyte-docparse`.');
export const VersionName = Slug('Version, e.g. `1.0.0` or `v1.5`.', 64);
export const StageName = Slug('Pipeline stage, e.g. `parse`, `embed`, `policy`.', 64);
const Reason = Type.String({ minLength: 3, maxLength: 2000, description: 'Why: kept in the deployment history and the audit log.' });
const Tenants = Type.Array(Type.String({ pattern: TENANT_PATTERN }), {
  minItems: 1,
  maxItems: 500,
  uniqueItems: true,
  description: 'Tenants this applies to; absent or null = every tenant.',
});

export const Pricing = Type.Object(
  {
    input_per_1k: Type.Optional(Type.Number({ minimum: 0, description: 'USD per 1k input tokens.' })),
    output_per_1k: Type.Optional(Type.Number({ minimum: 0 })),
    cached_input_per_1k: Type.Optional(Type.Number({ minimum: 0 })),
    per_page: Type.Optional(Type.Number({ minimum: 0 })),
    per_call: Type.Optional(Type.Number({ minimum: 0 })),
  },
  { additionalProperties: false },
);
export type Pricing = Static<typeof Pricing>;

const ConfigObject = Type.Record(Type.String(), Type.Unknown(), {
  description: "Everything that changes the model's behaviour (any JSON object).",
});

/** Where a model version is active right now. */
export const ActiveScope = Type.Object({
  tenant: Type.String({ description: '`*` = every tenant without a tenant-specific deployment.' }),
  version: Type.String(),
  deployment_id: Type.String(),
  since: Type.String({ format: 'date-time' }),
});

export const ModelVersion = Type.Object({
  id: Type.String(),
  model_name: Type.String(),
  version: Type.String(),
  stage: Type.String(),
  config: ConfigObject,
  pricing: Pricing,
  created_by: Type.String(),
  reason: Nullable(Type.String()),
  created_at: Type.String({ format: 'date-time' }),
  active_for: Type.Array(Type.String(), { description: 'Tenants (or `*`) this version is active for now.' }),
});
export type ModelVersion = Static<typeof ModelVersion>;

export const Model = Type.Object({
  name: Type.String(),
  stage: Type.String(),
  description: Nullable(Type.String()),
  created_by: Type.String(),
  created_at: Type.String({ format: 'date-time' }),
  versions: Type.Integer(),
  latest_version: Nullable(Type.String()),
  active: Type.Array(ActiveScope),
});
export type Model = Static<typeof Model>;

export const RegisterVersionBody = Type.Object(
  {
    version: VersionName,
    stage: Type.Optional(StageName),
    config: Type.Optional(ConfigObject),
    pricing: Type.Optional(Pricing),
    reason: Reason,
  },
  { additionalProperties: false },
);
export type RegisterVersionBody = Static<typeof RegisterVersionBody>;

export const RegisterModelBody = Type.Object(
  {
    name: ModelName,
    stage: StageName,
    description: Type.Optional(Type.String({ maxLength: 2000 })),
    /** The first version may be registered with the model. */
    version: Type.Optional(RegisterVersionBody),
  },
  { additionalProperties: false },
);
export type RegisterModelBody = Static<typeof RegisterModelBody>;

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

export const DiffEntry = Type.Object({
  path: Type.String({ description: 'JSON Pointer (RFC 6901) into the configuration.' }),
  op: Type.Union([Type.Literal('added'), Type.Literal('removed'), Type.Literal('changed')]),
  before: Type.Optional(Type.Unknown()),
  after: Type.Optional(Type.Unknown()),
});
export type DiffEntry = Static<typeof DiffEntry>;

export const VersionStats = Type.Object({
  model_name: Type.String(),
  version: Type.String(),
  from: Type.String({ format: 'date-time' }),
  to: Type.String({ format: 'date-time' }),
  calls: Type.Integer(),
  errors: Type.Integer(),
  error_rate: Type.Number(),
  p50_ms: Nullable(Type.Number()),
  p95_ms: Nullable(Type.Number()),
  mean_ms: Nullable(Type.Number()),
  cost_usd: Type.Number(),
  cost_per_call_usd: Nullable(Type.Number()),
  calls_per_hour: Type.Number(),
  avg_input_tokens: Nullable(Type.Number()),
  avg_output_tokens: Nullable(Type.Number()),
  documents: Type.Integer(),
  tenants: Type.Array(Type.String()),
});
export type VersionStats = Static<typeof VersionStats>;

export const ConfigDiff = Type.Object({
  model_name: Type.String(),
  from_version: Type.String(),
  to_version: Type.String(),
  identical: Type.Boolean(),
  added: Type.Integer(),
  removed: Type.Integer(),
  changed: Type.Integer(),
  entries: Type.Array(DiffEntry),
  pricing: Type.Array(DiffEntry),
  stage_changed: Type.Boolean(),
  from_config: ConfigObject,
  to_config: ConfigObject,
  metrics: Type.Object({ window_s: Type.Integer(), from: VersionStats, to: VersionStats }),
});
export type ConfigDiff = Static<typeof ConfigDiff>;

export const TimelineKind = Type.Union([
  Type.Literal('version_registered'),
  Type.Literal('config_change'),
  Type.Literal('deploy'),
  Type.Literal('rollback'),
  Type.Literal('traffic_split'),
  Type.Literal('experiment_started'),
  Type.Literal('experiment_stopped'),
  Type.Literal('experiment_promoted'),
]);
export const TimelineItem = Type.Object({
  id: Type.String({ description: 'Unique per item: `<kind>:<row id>`.' }),
  at: Type.String({ format: 'date-time' }),
  kind: TimelineKind,
  model_name: Type.String(),
  version: Nullable(Type.String({ description: 'The version this is about (registered / deployed to / promoted).' })),
  from_version: Nullable(Type.String()),
  tenants: Nullable(Type.Array(Type.String())),
  actor: Type.String(),
  reason: Nullable(Type.String()),
  summary: Type.String({ description: 'One line in words.' }),
  details: Type.Record(Type.String(), Type.Unknown()),
});
export type TimelineItem = Static<typeof TimelineItem>;

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

// ---------------------------------------------------------------- experiments

export const VariantRef = Type.Object({ model_name: ModelName, version: VersionName }, { additionalProperties: false });
export type VariantRef = Static<typeof VariantRef>;

export const ExperimentState = Type.Union([Type.Literal('running'), Type.Literal('stopped'), Type.Literal('promoted')]);
export const VariantName = Type.Union([Type.Literal('control'), Type.Literal('treatment')]);
export type VariantName = Static<typeof VariantName>;

export const Experiment = Type.Object({
  id: Type.String(),
  name: Type.String(),
  stage: Type.String(),
  control: VariantRef,
  treatment: VariantRef,
  treatment_percent: Type.Number(),
  tenants: Nullable(Type.Array(Type.String())),
  state: ExperimentState,
  created_by: Type.String(),
  reason: Type.String(),
  started_at: Type.String({ format: 'date-time' }),
  ended_at: Nullable(Type.String({ format: 'date-time' })),
  ended_by: Nullable(Type.String()),
  end_reason: Nullable(Type.String()),
  winner: Nullable(VariantName),
});
export type Experiment = Static<typeof Experiment>;

export const CreateExperimentBody = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 200 }),
    stage: StageName,
    control: Type.Optional(Type.Union([Type.Null(), VariantRef], { description: "Default: the stage's active model version." })),
    treatment: VariantRef,
    treatment_percent: Type.Number({
      exclusiveMinimum: 0,
      exclusiveMaximum: 100,
      description: 'Share of documents sent to the treatment.',
    }),
    tenants: Type.Optional(NullableIn(Tenants)),
    reason: Reason,
  },
  { additionalProperties: false },
);
export type CreateExperimentBody = Static<typeof CreateExperimentBody>;

export const VariantResult = Type.Object({
  variant: VariantName,
  model_name: Type.String(),
  version: Type.String(),
  calls: Type.Integer(),
  errors: Type.Integer(),
  error_rate: Type.Number(),
  p50_ms: Nullable(Type.Number()),
  p95_ms: Nullable(Type.Number()),
  mean_ms: Nullable(Type.Number()),
  stddev_ms: Nullable(Type.Number()),
  documents: Type.Integer(),
  cost_usd: Type.Number(),
  cost_per_document_usd: Nullable(Type.Number()),
  confidence: Type.Object({
    count: Type.Integer(),
    mean: Nullable(Type.Number()),
    buckets: Type.Array(Type.Object({ from: Type.Number(), to: Type.Number(), count: Type.Integer() }), {
      description: 'Ten buckets over [0, 1].',
    }),
  }),
});
export type VariantResult = Static<typeof VariantResult>;

export const SignificanceTest = Type.Object({
  test: Type.String(),
  statistic: Nullable(Type.Number()),
  p_value: Nullable(Type.Number()),
  significant: Type.Boolean(),
  better: Nullable(VariantName),
  note: Type.String(),
});
export type SignificanceTest = Static<typeof SignificanceTest>;

export const ExperimentResults = Type.Object({
  experiment: Experiment,
  generated_at: Type.String({ format: 'date-time' }),
  variants: Type.Array(VariantResult),
  agreement: Type.Object({
    compared_documents: Type.Integer({ description: 'Documents with a decision (`metadata.decision`) from both variants.' }),
    agreeing: Type.Integer(),
    rate: Nullable(Type.Number()),
    disagreements: Type.Array(Type.Object({ document_id: Type.String(), control: Type.Unknown(), treatment: Type.Unknown() }), {
      maxItems: 20,
    }),
  }),
  significance: Type.Object({
    alpha: Type.Number(),
    error_rate: SignificanceTest,
    latency: SignificanceTest,
  }),
  recommendation: Type.Object({ winner: Nullable(VariantName), reason: Type.String() }),
});
export type ExperimentResults = Static<typeof ExperimentResults>;

export const EndExperimentBody = Type.Object({ reason: Reason }, { additionalProperties: false });
export const PromoteExperimentBody = Type.Object(
  {
    variant: Type.Optional(VariantName),
    reason: Reason,
  },
  { additionalProperties: false },
);
export type PromoteExperimentBody = Static<typeof PromoteExperimentBody>;

/**
 * Which variant a document gets: FNV-1a (32-bit) of `<experiment id>:<document id>`,
 * modulo 10 000, is compared with the treatment percentage × 100. Deterministic, so a
 * document keeps its variant on every run, in every process, and the server can tell
 * which variant a document should have had.
 */
export function experimentBucket(experimentId: string, documentId: string): number {
  let h = 0x811c9dc5;
  const s = `${experimentId}:${documentId}`;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h % 10_000;
}

export function experimentVariant(experimentId: string, documentId: string, treatmentPercent: number): VariantName {
  return experimentBucket(experimentId, documentId) < Math.round(treatmentPercent * 100) ? 'treatment' : 'control';
}

// ---------------------------------------------------------------- pipeline

export const PipelineModelConfig = Type.Object({
  model_name: Type.String(),
  version: Type.String(),
  config: ConfigObject,
  pricing: Pricing,
  scope: Type.Union([Type.Literal('tenant'), Type.Literal('all')], {
    description: 'Whether a tenant-specific deployment or the all-tenants one applies.',
  }),
  deployment_id: Type.String(),
  deployed_at: Type.String({ format: 'date-time' }),
});
export type PipelineModelConfig = Static<typeof PipelineModelConfig>;

export const PipelineStageConfig = Type.Object({
  stage: Type.String(),
  active: Nullable(PipelineModelConfig),
  models: Type.Array(PipelineModelConfig, {
    description: 'Every active model of the stage (e.g. a local and a remote embedder), most recently deployed first.',
  }),
  experiment: Nullable(
    Type.Object({
      id: Type.String(),
      name: Type.String(),
      treatment_percent: Type.Number(),
      control: PipelineModelConfig,
      treatment: PipelineModelConfig,
      assignment: Type.String({ description: 'The rule of `experimentVariant` in @frostbyte/contracts.' }),
    }),
  ),
});
export type PipelineStageConfig = Static<typeof PipelineStageConfig>;

export const PipelineConfig = Type.Object({
  tenant: Nullable(Type.String()),
  revision: Type.String({ description: 'Changes whenever anything in here changes (also sent as the ETag).' }),
  generated_at: Type.String({ format: 'date-time' }),
  stages: Type.Array(PipelineStageConfig),
});
export type PipelineConfig = Static<typeof PipelineConfig>;

export const StageStatus = Type.Union([Type.Literal('idle'), Type.Literal('processing'), Type.Literal('error')]);

export const PipelineStageStatus = Type.Object({
  stage: Type.String(),
  models: Type.Array(
    Type.Object({
      model_name: Type.String(),
      version: Type.String(),
      label: Type.String({ description: 'Short identity for the schematic, e.g. `docparse 1.0`.' }),
      source: Type.Union([Type.Literal('registry'), Type.Literal('observed')]),
    }),
  ),
  status: StageStatus,
  in_flight: Type.Integer(),
  calls: Type.Integer(),
  errors: Type.Integer(),
  error_rate: Type.Number(),
  throughput_per_s: Type.Number(),
  p50_ms: Nullable(Type.Number()),
  p95_ms: Nullable(Type.Number()),
  baseline_p95_ms: Nullable(Type.Number()),
  latency_share: Nullable(Type.Number({ description: 'Share of the mean end-to-end latency spent in this stage (0..1).' })),
  last_seen: Nullable(Type.String()),
  bottleneck: Type.Boolean(),
  open_alerts: Type.Integer(),
});
export type PipelineStageStatus = Static<typeof PipelineStageStatus>;

export const Bottleneck = Type.Object({
  stage: Type.String(),
  reasons: Type.Array(Type.String()),
  reason: Type.String({ description: 'The reasons in one sentence.' }),
  anomalous: Type.Boolean({ description: 'True when beyond the normal slowest stage: p95 over its baseline, or a backlog.' }),
  latency_share: Nullable(Type.Number()),
  p95_ms: Nullable(Type.Number()),
  baseline_p95_ms: Nullable(Type.Number()),
  in_flight: Type.Integer(),
});
export type Bottleneck = Static<typeof Bottleneck>;

export const PipelineStatus = Type.Object({
  generated_at: Type.String({ format: 'date-time' }),
  window_s: Type.Integer(),
  baseline_s: Type.Integer(),
  stages: Type.Array(PipelineStageStatus),
  edges: Type.Array(Type.Object({ from: Type.String(), to: Type.String(), flow_per_s: Type.Number() })),
  bottleneck: Nullable(Bottleneck),
  alerts: Type.Array(Alert),
});
export type PipelineStatus = Static<typeof PipelineStatus>;

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
