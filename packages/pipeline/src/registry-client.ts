import { experimentVariant, type PipelineConfig, type PipelineModelConfig, type PipelineStageConfig } from '@frostbyte/contracts';
import type { ModelMeta } from '@frostbyte/telemetry';
import {
  createEmbedderFromEnv,
  createLocalEmbedder,
  createRemoteEmbedder,
  DEFAULT_LOCAL_EMBEDDER_CONFIG,
  DEFAULT_REMOTE_EMBEDDER_CONFIG,
  type EmbedInput,
  type EmbedOutput,
} from './stages/embed.ts';
import type { ModelIdentity, StageModel, StageName } from './stages/model.ts';
import { createOutputModel, DEFAULT_OUTPUT_CONFIG, type OutputInput, type OutputResult } from './stages/output.ts';
import { createParseModel, DEFAULT_PARSE_CONFIG, type ParseInput, type ParseOutput } from './stages/parse.ts';
import { createPolicyModel, DEFAULT_POLICY_CONFIG, type PolicyConfig, type PolicyInput, type PolicyOutput } from './stages/policy.ts';

/**
 * Which model version runs at each stage, as the model registry says.
 *
 * `GET /v1/pipeline/config?tenant=<id>` is polled every `pollIntervalMs` (with the last
 * revision as `If-None-Match`). For every stage the registry names, the pipeline runs
 * that model version with that configuration, and the telemetry events carry the
 * registry's name and version — so a deploy, a rollback or an experiment changes what
 * actually runs within one poll. While the registry cannot be read (404 because it is
 * not deployed, a network error, a response we cannot understand) the last good config
 * stays in force, or the built-in defaults if there never was one; that is said once
 * in the log, not on every poll.
 *
 * Experiments are sticky per document: `experimentVariant(experiment id, document id)`
 * from @frostbyte/contracts, the same rule the server uses to attribute results.
 */

export type PipelineStage = Exclude<StageName, never>;
export const PIPELINE_STAGES: readonly PipelineStage[] = ['parse', 'embed', 'policy', 'output'];

export interface StageModels {
  parse: StageModel<ParseInput, ParseOutput>;
  embed: StageModel<EmbedInput, EmbedOutput>;
  policy: StageModel<PolicyInput, PolicyOutput>;
  output: StageModel<OutputInput, OutputResult>;
}

/** One stage's model for one document: what to call and what the events say it is. */
export interface ResolvedModel<S extends PipelineStage = PipelineStage> {
  model: StageModels[S];
  meta: ModelMeta;
  source: 'registry' | 'default';
  /** Set when the document is in an experiment at this stage. */
  experiment?: { id: string; name: string; variant: 'control' | 'treatment' };
}

/** Anything that can say which model runs a stage for a document. */
export interface ModelResolver {
  resolve<S extends PipelineStage>(stage: S, documentId: string): ResolvedModel<S>;
}

export interface Logger {
  info(message: string): void;
  warn(message: string): void;
}

/** Options for the built-in models, used when the registry says nothing about a stage. */
export interface DefaultModelOptions {
  /** Added latency per stage call (the `delay_ms` knob), e.g. to simulate remote inference. */
  delay_ms?: Partial<Record<PipelineStage, number>>;
  /** Where the output stage writes; see `OutputConfig.base_dir`. */
  output_dir?: string;
  env?: Record<string, string | undefined>;
}

/** The built-in models: what runs when no registry is reachable. */
export class DefaultModels implements ModelResolver {
  readonly #resolved: { [S in PipelineStage]: ResolvedModel<S> };

  constructor(options: DefaultModelOptions = {}) {
    const delay = options.delay_ms ?? {};
    const models: StageModels = {
      parse: createParseModel({ delay_ms: delay.parse ?? 0 }),
      embed: createEmbedderFromEnv(options.env ?? process.env, { delay_ms: delay.embed ?? 0 }),
      policy: createPolicyModel({ ...DEFAULT_POLICY_CONFIG, delay_ms: delay.policy ?? 0 }),
      output: createOutputModel({ delay_ms: delay.output ?? 0, ...(options.output_dir ? { base_dir: options.output_dir } : {}) }),
    };
    const entry = <S extends PipelineStage>(stage: S): ResolvedModel<S> => ({
      model: models[stage],
      meta: metaOf(models[stage].identity, { config_source: 'default' }),
      source: 'default',
    });
    this.#resolved = { parse: entry('parse'), embed: entry('embed'), policy: entry('policy'), output: entry('output') };
  }

  resolve<S extends PipelineStage>(stage: S, _documentId?: string): ResolvedModel<S> {
    return this.#resolved[stage] as ResolvedModel<S>;
  }
}

export interface RegistryClientOptions {
  endpoint: string;
  apiKey?: string | undefined;
  tenant: string;
  /** Default 3 s. */
  pollIntervalMs?: number;
  /** Per request. Default 2 s. */
  timeoutMs?: number;
  defaults?: DefaultModels;
  defaultOptions?: DefaultModelOptions;
  log?: Logger;
}

type StageChoice =
  | { kind: 'fixed'; resolved: ResolvedModel }
  | {
      kind: 'experiment';
      id: string;
      name: string;
      percent: number;
      control: ResolvedModel;
      treatment: ResolvedModel;
    };

export class RegistryClient implements ModelResolver {
  readonly #o: Required<Pick<RegistryClientOptions, 'endpoint' | 'tenant' | 'pollIntervalMs' | 'timeoutMs'>> & RegistryClientOptions;
  readonly #defaults: DefaultModels;
  readonly #log: Logger;
  /** Stage → what runs; stages the registry does not name use the defaults. */
  #choices = new Map<PipelineStage, StageChoice>();
  /** Built models by name@version+config, so a poll that changes nothing builds nothing. */
  #built = new Map<string, ResolvedModel>();
  #revision: string | undefined;
  #state: 'unknown' | 'registry' | 'defaults' = 'unknown';
  #timer: NodeJS.Timeout | undefined;
  #polling: Promise<void> | undefined;
  #stopped = false;
  #lastProblem: string | undefined;
  readonly #warned = new Set<string>();

  constructor(options: RegistryClientOptions) {
    this.#o = { pollIntervalMs: 3_000, timeoutMs: 2_000, ...options };
    this.#defaults = options.defaults ?? new DefaultModels(options.defaultOptions);
    this.#log = options.log ?? { info: (m) => console.log(m), warn: (m) => console.warn(m) };
  }

  /** `registry` once a config was read, `defaults` while it cannot be. */
  get source(): 'registry' | 'defaults' | 'unknown' {
    return this.#state;
  }

  get revision(): string | undefined {
    return this.#revision;
  }

  /** Reads the config once (so the first document already obeys it), then polls. */
  async start(): Promise<void> {
    await this.refresh();
    this.#schedule();
  }

  stop(): void {
    this.#stopped = true;
    if (this.#timer !== undefined) clearTimeout(this.#timer);
  }

  resolve<S extends PipelineStage>(stage: S, documentId: string): ResolvedModel<S> {
    const choice = this.#choices.get(stage);
    if (choice === undefined) return this.#defaults.resolve(stage);
    if (choice.kind === 'fixed') return choice.resolved as ResolvedModel<S>;
    const variant = experimentVariant(choice.id, documentId, choice.percent);
    const resolved = (variant === 'treatment' ? choice.treatment : choice.control) as ResolvedModel<S>;
    return { ...resolved, experiment: { id: choice.id, name: choice.name, variant } };
  }

  /** One poll. Never throws. */
  refresh(): Promise<void> {
    this.#polling ??= this.#poll().finally(() => {
      this.#polling = undefined;
    });
    return this.#polling;
  }

  #schedule(): void {
    if (this.#stopped) return;
    this.#timer = setTimeout(() => {
      void this.refresh().finally(() => this.#schedule());
    }, this.#o.pollIntervalMs);
    this.#timer.unref();
  }

  async #poll(): Promise<void> {
    const url = `${this.#o.endpoint.replace(/\/+$/, '')}/v1/pipeline/config?tenant=${encodeURIComponent(this.#o.tenant)}`;
    let body: unknown;
    try {
      const headers: Record<string, string> = { accept: 'application/json' };
      if (this.#o.apiKey) headers.authorization = `Bearer ${this.#o.apiKey}`;
      if (this.#revision !== undefined && this.#state === 'registry') headers['if-none-match'] = `"${this.#revision}"`;
      const res = await fetch(url, { headers, signal: AbortSignal.timeout(this.#o.timeoutMs) });
      if (res.status === 304) return;
      if (!res.ok) {
        const text = await res.text().catch(() => '');
        this.#unavailable(`GET /v1/pipeline/config answered ${res.status}${text ? `: ${text.slice(0, 200)}` : ''}`);
        return;
      }
      body = await res.json();
    } catch (error) {
      this.#unavailable(`GET /v1/pipeline/config failed: ${(error as Error).message}`);
      return;
    }
    this.#apply(body);
  }

  #unavailable(problem: string): void {
    // Said once per kind of problem, not once per poll.
    const kind = problem.replace(/:.*$/s, '');
    if (this.#lastProblem !== kind) {
      this.#lastProblem = kind;
      const running = this.#state === 'registry' ? `keeping registry revision ${this.#revision}` : 'running the built-in default models';
      this.#log.warn(`model registry unavailable for tenant ${this.#o.tenant} (${problem}); ${running}`);
    }
    if (this.#state === 'unknown') this.#state = 'defaults';
  }

  #apply(body: unknown): void {
    const config = readPipelineConfig(body);
    if (config === undefined) {
      this.#unavailable('GET /v1/pipeline/config: response has no `stages` array; not a pipeline config');
      return;
    }
    const next = new Map<PipelineStage, StageChoice>();
    for (const stageConfig of config.stages) {
      const stage = stageConfig.stage as PipelineStage;
      if (!PIPELINE_STAGES.includes(stage)) continue;
      const choice = this.#choose(stage, stageConfig);
      if (choice !== undefined) next.set(stage, choice);
    }
    const changes = describeChanges(this.#choices, next);
    const wasRegistry = this.#state === 'registry';
    this.#choices = next;
    this.#revision = config.revision;
    this.#state = 'registry';
    if (this.#lastProblem !== undefined || !wasRegistry) {
      this.#log.info(
        `model registry: tenant ${this.#o.tenant} follows revision ${config.revision}${changes.length ? ` (${changes.join('; ')})` : ''}`,
      );
    } else if (changes.length > 0) {
      this.#log.info(`model registry revision ${config.revision} for tenant ${this.#o.tenant}: ${changes.join('; ')}`);
    }
    this.#lastProblem = undefined;
  }

  #choose(stage: PipelineStage, config: PipelineStageConfig): StageChoice | undefined {
    const exp = config.experiment;
    if (exp && isRecord(exp) && typeof exp.id === 'string' && typeof exp.treatment_percent === 'number') {
      const control = this.#build(stage, exp.control);
      const treatment = this.#build(stage, exp.treatment);
      if (control && treatment) {
        return { kind: 'experiment', id: exp.id, name: String(exp.name ?? exp.id), percent: exp.treatment_percent, control, treatment };
      }
    }
    // The active model first; when it cannot run here (a remote embedder with no
    // endpoint configured), the stage's other active models in deployment order.
    const candidates = [config.active, ...(Array.isArray(config.models) ? config.models : [])];
    for (const candidate of candidates) {
      const resolved = candidate ? this.#build(stage, candidate) : undefined;
      if (resolved) return { kind: 'fixed', resolved };
    }
    return undefined;
  }

  /** A runnable model for a registry entry, or undefined (warned once) when we cannot build one. */
  #build(stage: PipelineStage, entry: PipelineModelConfig | undefined): ResolvedModel | undefined {
    if (!entry || !isRecord(entry) || typeof entry.model_name !== 'string' || typeof entry.version !== 'string') return undefined;
    const config = isRecord(entry.config) ? entry.config : {};
    const key = `${stage}\u0000${entry.model_name}@${entry.version}\u0000${stableJson(config)}`;
    const cached = this.#built.get(key);
    if (cached) return cached;
    try {
      const model = buildStageModel(stage, entry.model_name, entry.version, config, this.#o.defaultOptions ?? {});
      const identity: ModelIdentity = { ...model.identity, name: entry.model_name, version: entry.version };
      const resolved: ResolvedModel = {
        model: { identity, invoke: model.invoke } as StageModels[typeof stage],
        meta: metaOf(identity, { config_source: 'registry', ...(entry.deployment_id ? { deployment_id: entry.deployment_id } : {}) }),
        source: 'registry',
      };
      this.#built.set(key, resolved);
      return resolved;
    } catch (error) {
      const message = `${stage}: cannot run ${entry.model_name}@${entry.version} from the registry (${(error as Error).message}); using the built-in ${stage} model`;
      if (!this.#warned.has(key)) {
        this.#warned.add(key);
        this.#log.warn(message);
      }
      return undefined;
    }
  }
}

/** The parts of a pipeline config we rely on, checked; undefined when it is not one. */
function readPipelineConfig(body: unknown): Pick<PipelineConfig, 'revision' | 'stages'> | undefined {
  if (!isRecord(body) || !Array.isArray(body.stages)) return undefined;
  const stages = body.stages.filter((s): s is PipelineStageConfig => isRecord(s) && typeof s.stage === 'string');
  return { revision: typeof body.revision === 'string' ? body.revision : stableJson(body.stages).length.toString(36), stages };
}

/**
 * Builds the stage implementation a registry entry names, with the entry's
 * configuration laid over the built-in defaults. Only keys the implementation knows,
 * of the right type, are taken; anything else is descriptive (library versions,
 * tokenizer names) and ignored.
 */
export function buildStageModel(
  stage: PipelineStage,
  modelName: string,
  version: string,
  config: Record<string, unknown>,
  defaults: DefaultModelOptions,
): StageModel<never, unknown> {
  const delay = numberOr(config.delay_ms, defaults.delay_ms?.[stage] ?? 0);
  switch (stage) {
    case 'parse':
      return createParseModel({
        chunk_max_tokens: positiveInt(config.chunk_max_tokens, DEFAULT_PARSE_CONFIG.chunk_max_tokens),
        chunk_overlap_tokens: nonNegativeInt(config.chunk_overlap_tokens, DEFAULT_PARSE_CONFIG.chunk_overlap_tokens),
        max_bytes: positiveInt(config.max_bytes, DEFAULT_PARSE_CONFIG.max_bytes),
        delay_ms: delay,
      }) as StageModel<never, unknown>;
    case 'embed': {
      const env = defaults.env ?? process.env;
      // The endpoint is deployment detail, so it may come from the environment rather than the registry.
      const url =
        typeof config.url === 'string'
          ? config.url
          : typeof config.endpoint === 'string'
            ? config.endpoint
            : env.EMBEDDINGS_URL?.trim() || undefined;
      const local = config.provider === 'local' || /^frostbyte-hash-tfidf/.test(modelName);
      if (local || !url) {
        if (!local)
          throw new Error(
            `${modelName} is a remote embedder and no endpoint is configured (\`url\` in its configuration, or EMBEDDINGS_URL)`,
          );
        return createLocalEmbedder({
          dim: positiveInt(config.dim, Number(/-(\d+)$/.exec(modelName)?.[1] ?? DEFAULT_LOCAL_EMBEDDER_CONFIG.dim)),
          seed: nonNegativeInt(config.seed, DEFAULT_LOCAL_EMBEDDER_CONFIG.seed),
          delay_ms: delay,
        }) as StageModel<never, unknown>;
      }
      return createRemoteEmbedder({
        url,
        model: typeof config.model === 'string' ? config.model : modelName,
        model_version: version,
        api_key: env.EMBEDDINGS_API_KEY?.trim() || undefined,
        batch_size: positiveInt(config.batch_size, DEFAULT_REMOTE_EMBEDDER_CONFIG.batch_size),
        timeout_ms: positiveInt(config.timeout_ms, DEFAULT_REMOTE_EMBEDDER_CONFIG.timeout_ms),
        max_retries: nonNegativeInt(config.max_retries, DEFAULT_REMOTE_EMBEDDER_CONFIG.max_retries),
        delay_ms: delay,
      }) as StageModel<never, unknown>;
    }
    case 'policy': {
      // A full rule set replaces the defaults'; single knobs (min_topic_score, delay_ms) tune them.
      const merged: PolicyConfig = {
        ...DEFAULT_POLICY_CONFIG,
        ...(Array.isArray(config.rules) ? { rules: config.rules as PolicyConfig['rules'] } : {}),
        ...(isRecord(config.topic_keywords) ? { topic_keywords: config.topic_keywords as PolicyConfig['topic_keywords'] } : {}),
        ...(isRecord(config.defaults) ? { defaults: { ...DEFAULT_POLICY_CONFIG.defaults, ...(config.defaults as object) } } : {}),
        config_version: typeof config.config_version === 'string' ? config.config_version : version,
        min_topic_score: positiveInt(config.min_topic_score, DEFAULT_POLICY_CONFIG.min_topic_score),
        delay_ms: delay,
      };
      return createPolicyModel(merged) as StageModel<never, unknown>;
    }
    case 'output':
      return createOutputModel({
        base_dir: typeof config.base_dir === 'string' ? config.base_dir : (defaults.output_dir ?? DEFAULT_OUTPUT_CONFIG.base_dir),
        delay_ms: delay,
      }) as StageModel<never, unknown>;
  }
}

/** Telemetry meta for a model identity (checked by the SDK at wrap/observe time). */
export function metaOf(identity: ModelIdentity, metadata: Record<string, unknown> = {}): ModelMeta {
  return Object.freeze({
    model_name: identity.name,
    model_version: identity.version,
    stage: identity.stage,
    operation: identity.operation,
    metadata: Object.freeze({ ...metadata }),
  });
}

function describeChanges(before: Map<PipelineStage, StageChoice>, after: Map<PipelineStage, StageChoice>): string[] {
  const label = (c: StageChoice | undefined) =>
    c === undefined
      ? 'built-in default'
      : c.kind === 'fixed'
        ? `${c.resolved.meta.model_name}@${c.resolved.meta.model_version}`
        : `experiment ${c.name}: ${c.control.meta.model_name}@${c.control.meta.model_version} vs ${c.treatment.meta.model_name}@${c.treatment.meta.model_version} (${c.percent} % treatment)`;
  const changes: string[] = [];
  for (const stage of PIPELINE_STAGES) {
    const a = label(before.get(stage));
    const b = label(after.get(stage));
    if (a !== b) changes.push(`${stage}: ${a} → ${b}`);
  }
  return changes;
}

const isRecord = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);
const numberOr = (v: unknown, d: number) => (typeof v === 'number' && Number.isFinite(v) && v >= 0 ? v : d);
const positiveInt = (v: unknown, d: number) => (typeof v === 'number' && Number.isInteger(v) && v > 0 ? v : d);
const nonNegativeInt = (v: unknown, d: number) => (typeof v === 'number' && Number.isInteger(v) && v >= 0 ? v : d);

function stableJson(value: unknown): string {
  return JSON.stringify(value, (_k, v) =>
    isRecord(v)
      ? Object.fromEntries(
          Object.keys(v)
            .sort()
            .map((k) => [k, v[k]]),
        )
      : v,
  );
}
