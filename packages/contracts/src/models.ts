import { type Static, Type } from '@sinclair/typebox';
import { MAX_PRICE_PER_1K_TOKENS_USD, MAX_PRICE_PER_CALL_USD, MAX_PRICE_PER_PAGE_USD } from './limits.ts';
import { ConfigObject, Nullable, Reason, Slug } from './schema-helpers.ts';

/**
 * Models and their versions (`/v1/models`): the catalogue, registering a model or a
 * version, and comparing two versions (configuration diff and figures).
 */

export const ModelName = Slug('Model name, e.g. `frostbyte-docparse`.');
export const VersionName = Slug('Version, e.g. `1.0.0` or `v1.5`.', 64);
export const StageName = Slug('Pipeline stage, e.g. `parse`, `embed`, `policy`.', 64);
export const Pricing = Type.Object(
  {
    // Bounded so that no event's cost can overflow its column (limits.ts).
    input_per_1k: Type.Optional(Type.Number({ minimum: 0, maximum: MAX_PRICE_PER_1K_TOKENS_USD, description: 'USD per 1k input tokens.' })),
    output_per_1k: Type.Optional(Type.Number({ minimum: 0, maximum: MAX_PRICE_PER_1K_TOKENS_USD })),
    // Token parts (event.ts TOKEN_DETAILS). Absent: the part costs what its total's
    // tokens cost (cached reads and cache writes the input price, reasoning the output
    // price), so adding a part's price can only refine a cost, never drop it to zero.
    cached_input_per_1k: Type.Optional(
      Type.Number({
        minimum: 0,
        maximum: MAX_PRICE_PER_1K_TOKENS_USD,
        description: 'USD per 1k input tokens read from the prompt cache; absent: input_per_1k.',
      }),
    ),
    cache_write_per_1k: Type.Optional(
      Type.Number({
        minimum: 0,
        maximum: MAX_PRICE_PER_1K_TOKENS_USD,
        description: 'USD per 1k input tokens written to the prompt cache; absent: input_per_1k.',
      }),
    ),
    reasoning_per_1k: Type.Optional(
      Type.Number({ minimum: 0, maximum: MAX_PRICE_PER_1K_TOKENS_USD, description: 'USD per 1k reasoning tokens; absent: output_per_1k.' }),
    ),
    per_page: Type.Optional(Type.Number({ minimum: 0, maximum: MAX_PRICE_PER_PAGE_USD })),
    per_call: Type.Optional(Type.Number({ minimum: 0, maximum: MAX_PRICE_PER_CALL_USD })),
  },
  { additionalProperties: false },
);
export type Pricing = Static<typeof Pricing>;

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
