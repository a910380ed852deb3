import { type Static, Type } from '@sinclair/typebox';
import { Alert } from './alerts.ts';
import { Pricing } from './models.ts';
import { ConfigObject, Nullable } from './schema-helpers.ts';

/**
 * The pipeline (`/v1/pipeline`): what each stage runs (config, read by the pipeline) and
 * how each stage is doing (status, drawn by the schematic).
 */

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
