import { newId } from '@frostbyte/contracts';
import { RedactionContext, redactText } from '@frostbyte/redact';
import { getTelemetry, type InvocationHandle, type ModelMeta, type Telemetry, withContext } from '@frostbyte/telemetry';
import { DefaultModels, type ModelResolver, type PipelineStage, type ResolvedModel } from './registry-client.ts';
import type { EmbedOutput } from './stages/embed.ts';
import type { ModelResult, StageModel } from './stages/model.ts';
import type { OutputResult } from './stages/output.ts';
import { type DocumentFormat, detectFormat, type ParseOutput } from './stages/parse.ts';
import type { PolicyOutput } from './stages/policy.ts';

/**
 * The Frostbyte ETL pipeline: for each document, parse → embed → policy → output.
 *
 * Every stage call is one model invocation recorded by the telemetry SDK (`observe`),
 * inside a context that names the tenant, the document and the pipeline run, so the
 * events need no ids threaded by hand. What an event captures is a small view of the
 * call (file name and size in, text preview and counts out; chunk count in, vector
 * count out; PII counts and a text preview in, the decision out) — never the raw bytes
 * or the vectors, which would make every event megabytes and say nothing more.
 *
 * Failure contract: a document whose stage throws (corrupt file, model error) yields a
 * `failed` event for that stage, is reported failed with the error's class and message,
 * and the run goes on with the next document. Only the caller's abort stops a run.
 */

export interface PipelineDocument {
  document_id: string;
  filename?: string;
  content: Uint8Array | string;
  format?: DocumentFormat;
  /** Where it came from (path, URL); stored with the output. */
  source?: string;
}

export interface DocumentResult {
  document_id: string;
  filename: string | undefined;
  /** Detected format, or `unknown` when even that failed. */
  format: DocumentFormat | 'unknown';
  status: 'ok' | 'failed';
  failed_stage?: PipelineStage;
  /** `retryable` when the error says so (an embedding service's 503, a timeout): trying again may work. */
  error?: { type: string; message: string; retryable?: boolean };
  /** Model invocations made for this document (each emits two events). */
  invocations: number;
  /** Input + output tokens over its stages. */
  tokens: number;
  duration_ms: number;
  /** The policy decision, when the document got that far. */
  decision?: PolicyOutput['decision'];
}

export interface ProcessOptions {
  tenant: string;
  pipelineRunId: string;
  models: ModelResolver;
  telemetry?: Telemetry;
  /** Run the output stage (store JSONL). Default true. */
  store?: boolean;
  signal?: AbortSignal;
  /** Called around every model call: +1 when it starts, -1 when it ends (load gauge). */
  onInFlight?: (delta: 1 | -1) => void;
}

export interface RunOptions extends Omit<ProcessOptions, 'pipelineRunId' | 'models'> {
  documents: Iterable<PipelineDocument> | AsyncIterable<PipelineDocument>;
  pipelineRunId?: string;
  /** Default: the built-in models (no registry). */
  models?: ModelResolver;
  /** Documents processed at once. Default 4. */
  concurrency?: number;
  onDocument?: (result: DocumentResult) => void;
}

export interface RunSummary {
  pipeline_run_id: string;
  tenant: string;
  documents: number;
  ok: number;
  failed: number;
  by_format: Record<string, { ok: number; failed: number }>;
  invocations: number;
  /** Events this run emitted: a `started` and a final event per invocation. */
  events: number;
  tokens: number;
  duration_ms: number;
  results: DocumentResult[];
}

/** Runs the pipeline over `documents` with bounded concurrency; resolves when all are done. */
export async function runPipeline(options: RunOptions): Promise<RunSummary> {
  const pipelineRunId = options.pipelineRunId ?? newRunId();
  const models = options.models ?? new DefaultModels();
  const started = performance.now();
  const results: DocumentResult[] = [];
  const iterator = toAsyncIterator(options.documents);
  const concurrency = Math.max(1, Math.floor(options.concurrency ?? 4));
  const perDocument: ProcessOptions = { ...options, pipelineRunId, models };

  // Workers pull from one iterator, so an endless source (a watched folder) works too.
  let next: Promise<IteratorResult<PipelineDocument>> = Promise.resolve({ done: false, value: undefined as never });
  const pull = () => (next = next.then(() => iterator.next()));
  const worker = async () => {
    for (;;) {
      if (options.signal?.aborted) return;
      const item = await pull();
      if (item.done) return;
      const result = await processDocument(item.value, perDocument);
      results.push(result);
      options.onDocument?.(result);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return summarise(pipelineRunId, options.tenant, results, performance.now() - started);
}

export function summarise(pipelineRunId: string, tenant: string, results: DocumentResult[], durationMs: number): RunSummary {
  const by_format: RunSummary['by_format'] = {};
  let ok = 0;
  let invocations = 0;
  let tokens = 0;
  for (const r of results) {
    const row = (by_format[r.format] ??= { ok: 0, failed: 0 });
    if (r.status === 'ok') {
      ok++;
      row.ok++;
    } else row.failed++;
    invocations += r.invocations;
    tokens += r.tokens;
  }
  return {
    pipeline_run_id: pipelineRunId,
    tenant,
    documents: results.length,
    ok,
    failed: results.length - ok,
    by_format,
    invocations,
    events: invocations * 2,
    tokens,
    duration_ms: durationMs,
    results,
  };
}

/** A pipeline run id: a UUIDv7, so runs sort by start time. */
export const newRunId = (): string => newId();

class StageFailure extends Error {
  constructor(
    readonly stage: PipelineStage,
    readonly original: unknown,
  ) {
    super(String((original as Error)?.message ?? original));
  }
}

/** One document through every stage. Never throws (except on the caller's abort). */
export async function processDocument(doc: PipelineDocument, o: ProcessOptions): Promise<DocumentResult> {
  const started = performance.now();
  const telemetry = o.telemetry ?? getTelemetry();
  let format: DocumentResult['format'] = 'unknown';
  try {
    format = detectFormat({ document_id: doc.document_id, filename: doc.filename, content: doc.content, format: doc.format });
  } catch {
    // the parse stage reports it, as a failed invocation
  }
  const result: DocumentResult = {
    document_id: doc.document_id,
    filename: doc.filename,
    format,
    status: 'ok',
    invocations: 0,
    tokens: 0,
    duration_ms: 0,
  };
  const context = {
    tenant_id: o.tenant,
    document_id: doc.document_id,
    pipeline_run_id: o.pipelineRunId,
    ...(doc.filename ? { attributes: { filename: doc.filename } } : {}),
  };
  const call = <S extends PipelineStage, I, O, V>(stage: S, input: I, view: StageView<I, O, V>) =>
    invokeStage(telemetry, o.models.resolve(stage, doc.document_id) as unknown as ResolvedModel<S>, input, view, o, result);

  try {
    await withContext(context, async () => {
      const bytes = typeof doc.content === 'string' ? Buffer.byteLength(doc.content) : doc.content.byteLength;
      const parsed = await call(
        'parse',
        { document_id: doc.document_id, filename: doc.filename, content: doc.content, format: doc.format },
        {
          input: () => ({ document_id: doc.document_id, filename: doc.filename, format, bytes }),
          output: (out: ParseOutput) => ({
            format: out.format,
            pages: out.pages,
            sections: out.sections.length,
            chunks: out.chunks.length,
            characters: out.text.length,
            text_preview: preview(out.text),
          }),
          usage: (r) => ({ input_tokens: r.usage?.input_tokens, output_tokens: r.usage?.input_tokens, pages: r.usage?.pages }),
        },
      );
      const chunks = parsed.output.chunks;
      const chunkTokens = chunks.reduce((n, c) => n + c.tokens, 0);

      const embedded = await call(
        'embed',
        { document_id: doc.document_id, chunks },
        {
          input: () => ({ document_id: doc.document_id, chunks: chunks.length, chunk_tokens: chunkTokens }),
          output: (out: EmbedOutput) => ({ vectors: out.vectors.length, dim: out.dim }),
          // The local embedder has no tokenizer; the chunks were counted (cl100k_base) when made.
          usage: (r) => ({ input_tokens: r.usage?.input_tokens ?? chunkTokens, output_tokens: r.usage?.output_tokens ?? 0 }),
        },
      );

      // PII counts feed the policy rules; the scan is part of the policy call, so its
      // time is the policy stage's.
      let pii: Record<string, number> = {};
      const decided = await call(
        'policy',
        { document_id: doc.document_id, text: parsed.output.text, chunks, pii },
        {
          before: (input) => {
            const scan = new RedactionContext();
            const t = performance.now();
            redactText(input.text, scan);
            pii = scan.summary();
            input.pii = pii;
            return { pii_scan_ms: Math.round((performance.now() - t) * 1000) / 1000 };
          },
          input: () => ({ document_id: doc.document_id, pii, chunks: chunks.length, text_preview: preview(parsed.output.text) }),
          output: (out: PolicyOutput) => ({ decision: out.decision, rules_triggered: out.rules_triggered }),
          usage: (r) => ({ input_tokens: r.usage?.input_tokens ?? parsed.usage?.input_tokens }),
          metadata: (out: PolicyOutput) => ({ decision: out.decision, pii_total: Object.values(pii).reduce((a, b) => a + b, 0) }),
        },
      );
      result.decision = decided.output.decision;

      if (o.store !== false) {
        const policyModel = o.models.resolve('policy', doc.document_id).meta;
        const embedModel = o.models.resolve('embed', doc.document_id).meta;
        await call(
          'output',
          {
            tenant: o.tenant,
            source: doc.source ?? doc.filename,
            document: parsed.output,
            embeddings: { ...embedded.output, model: { name: embedModel.model_name, version: embedModel.model_version } },
            policy: {
              ...decided.output,
              model: { name: policyModel.model_name, version: policyModel.model_version },
              rationale: decided.rationale,
              confidence: decided.confidence,
            },
          },
          {
            input: () => ({ document_id: doc.document_id, chunks: chunks.length, vectors: embedded.output.vectors.length }),
            output: (out: OutputResult) => ({ files: out.files.length, bytes_written: out.bytes_written }),
            usage: () => ({ input_tokens: 0, output_tokens: 0 }),
          },
        );
      }
    });
  } catch (error) {
    if (!(error instanceof StageFailure)) throw error;
    if (o.signal?.aborted && error.original === o.signal.reason) throw error.original;
    result.status = 'failed';
    result.failed_stage = error.stage;
    result.error = describeError(error.original);
  }
  result.duration_ms = performance.now() - started;
  return result;
}

/** How a stage call is shown in its events. */
interface StageView<I, O, V> {
  input: () => unknown;
  output: (out: O) => V;
  usage: (result: ModelResult<O>) => { input_tokens?: number | undefined; output_tokens?: number | undefined; pages?: number | undefined };
  metadata?: (out: O) => Record<string, unknown>;
  /** Work done inside the invocation before the model runs; returns metadata. */
  before?: (input: I) => Record<string, unknown>;
}

async function invokeStage<S extends PipelineStage, I, O, V>(
  telemetry: Telemetry,
  resolved: ResolvedModel<S>,
  input: I,
  view: StageView<I, O, V>,
  o: ProcessOptions,
  doc: DocumentResult,
): Promise<ModelResult<O>> {
  const model = resolved.model as unknown as StageModel<I, O>;
  let full: ModelResult<O> | undefined;
  doc.invocations++;
  o.onInFlight?.(1);
  try {
    await telemetry.observe(resolved.meta as ModelMeta, async (invocation: InvocationHandle) => {
      if (resolved.experiment) {
        invocation.setMetadata('experiment_id', resolved.experiment.id);
        invocation.setMetadata('variant', resolved.experiment.variant);
      }
      if (view.before) for (const [k, v] of Object.entries(view.before(input))) invocation.setMetadata(k, v);
      invocation.setInput(view.input());
      // A call that throws consumed no tokens we know of; without this the SDK would
      // count the tokens of the input *view* (a file name and a size) as if it had.
      invocation.setUsage({ input_tokens: 0, output_tokens: 0 });
      full = await model.invoke(input, o.signal);
      const usage = cleanUsage(view.usage(full));
      invocation.setUsage(usage);
      doc.tokens += (usage.input_tokens ?? 0) + (usage.output_tokens ?? 0);
      return {
        output: view.output(full.output),
        usage,
        ...(full.rationale !== undefined ? { rationale: full.rationale } : {}),
        ...(full.confidence !== undefined ? { confidence: full.confidence } : {}),
        ...(view.metadata ? { metadata: view.metadata(full.output) } : {}),
      };
    });
  } catch (error) {
    throw new StageFailure(resolved.model.identity.stage as PipelineStage, error);
  } finally {
    o.onInFlight?.(-1);
  }
  return full as ModelResult<O>;
}

function cleanUsage(u: { input_tokens?: number | undefined; output_tokens?: number | undefined; pages?: number | undefined }) {
  const out: { input_tokens?: number; output_tokens?: number; pages?: number } = {};
  if (typeof u.input_tokens === 'number') out.input_tokens = u.input_tokens;
  if (typeof u.output_tokens === 'number') out.output_tokens = u.output_tokens;
  if (typeof u.pages === 'number') out.pages = u.pages;
  return out;
}

function describeError(error: unknown): NonNullable<DocumentResult['error']> {
  if (error instanceof Error) {
    const ctor = error.constructor?.name;
    const retryable = (error as { retryable?: unknown }).retryable;
    return {
      type: ctor && ctor !== 'Error' ? ctor : error.name || 'Error',
      message: error.message,
      ...(typeof retryable === 'boolean' ? { retryable } : {}),
    };
  }
  return { type: typeof error, message: String(error) };
}

const PREVIEW_CHARS = 400;
function preview(text: string): string {
  return text.length <= PREVIEW_CHARS ? text : `${text.slice(0, PREVIEW_CHARS)}…`;
}

function toAsyncIterator<T>(source: Iterable<T> | AsyncIterable<T>): AsyncIterator<T> {
  if (Symbol.asyncIterator in source) return (source as AsyncIterable<T>)[Symbol.asyncIterator]();
  const it = (source as Iterable<T>)[Symbol.iterator]();
  return { next: async () => it.next() };
}
