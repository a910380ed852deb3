import { type Static, Type } from '@sinclair/typebox';
import { ModelName, StageName, VersionName } from './models.ts';
import { Nullable, NullableIn, Reason, Tenants } from './schema-helpers.ts';

/**
 * Experiments (`/v1/experiments`): A/B tests between two model versions of a stage, their
 * results, and the one rule the pipeline and the server must compute identically — which
 * experiment variant a document gets.
 */

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
