import { type IngestResponse, MAX_BATCH_EVENTS, MAX_KEY_LENGTH, ModelEventInput, newId } from '@frostbyte/contracts';
import { TypeCompiler } from '@sinclair/typebox/compiler';
import type { Bus } from '../bus/bus.ts';
import { badRequest } from '../kernel/errors.ts';
import type { EventRecord, SealedTrace } from '../kernel/event-record.ts';
import type { ServerRedactor, TraceSealer } from '../kernel/ports.ts';
import { inScope, type TenantScope } from '../kernel/tenant-scope.ts';
import type { PriceBook } from './pricing.ts';
import { priceOf } from './pricing.ts';
import { storageProblem } from './storable.ts';

const checkEvent = TypeCompiler.Compile(ModelEventInput);

/** The token parts as stored. `metadata.cached_input_tokens` (how clients sent the
 * cached count before the field existed) fills the field when the field is absent. */
function tokenDetails(e: ModelEventInput): {
  cached_input_tokens: number | null;
  cache_write_tokens: number | null;
  reasoning_tokens: number | null;
} {
  return {
    cached_input_tokens: e.cached_input_tokens ?? e.metadata?.cached_input_tokens ?? null,
    cache_write_tokens: e.cache_write_tokens ?? null,
    reasoning_tokens: e.reasoning_tokens ?? null,
  };
}

export interface IngestContext {
  /** The tenant of the credential (ingest key); null for an admin who names it per event. */
  tenant: string | null;
  /** The tenants the credential may write for (issue 12): a user token scoped to `tb`
   * cannot file events under `ta`. Absent: every tenant (the system itself). */
  scope?: TenantScope;
}

/** Clocks further off than this are refused rather than filed in a wrong partition. */
const MAX_FUTURE_MS = 24 * 3600_000;
const MAX_PAST_MS = 30 * 86_400_000;

/**
 * IngestProcessor: validate (schema, then storability: storable.ts) → tenant → dedupe →
 * redact → price → seal → bus.
 * Valid items of a mixed batch are accepted; each invalid one is reported with the
 * path and what is expected. The response is sent only once the accepted records are
 * durable (on the bus when it is durable, else committed to the database).
 */
declare const checkedBrand: unique symbol;
/** An event that passed every ingest check, as only `IngestService.check` makes them. */
export type CheckedEvent = ModelEventInput & { readonly [checkedBrand]: true };

/** `check`'s answer: the refusals (by index into the items) and the rest, checked. */
export interface CheckedBatch {
  rejected: IngestResponse['rejected'];
  valid: Array<{ index: number; event: CheckedEvent }>;
}

export class IngestService {
  /** Recently accepted ids: a replayed batch is acknowledged without re-appending.
   * The database's primary key is the real guarantee; this keeps replays off the
   * live stream. */
  private readonly recent = new Map<string, true>();

  constructor(
    private readonly deps: {
      bus: Bus;
      /** Only consulted when the bus is not durable (embedded: ack after the commit). */
      writer: { waitCommitted(seq: string): Promise<void> } | null;
      prices: PriceBook;
      redactor: ServerRedactor;
      sealer: TraceSealer;
      recentCapacity?: number;
    },
  ) {}

  async ingest(items: unknown[], ctx: IngestContext): Promise<IngestResponse> {
    if (items.length === 0 || items.length > MAX_BATCH_EVENTS) {
      throw badRequest(`events must hold 1 to ${MAX_BATCH_EVENTS} items, got ${items.length}`);
    }
    const { rejected, valid } = this.check(items, ctx);
    const res = await this.take(
      valid.map((v) => v.event),
      ctx,
    );
    return { ...res, rejected };
  }

  /** Every check `ingest` makes, taking nothing: for a caller that must accept a
   * group of events (an OTLP span's started + end) all or none, then `take`s them. */
  check(items: readonly unknown[], ctx: IngestContext): CheckedBatch {
    const now = Date.now();
    const out: CheckedBatch = { rejected: [], valid: [] };
    items.forEach((raw, index) => {
      const refusal = this.refusal(raw, ctx, now);
      if (refusal) out.rejected.push({ index, ...refusal });
      else out.valid.push({ index, event: raw as CheckedEvent });
    });
    return out;
  }

  /** Stores events `check` passed (at most MAX_BATCH_EVENTS), each checked once. */
  async take(events: readonly CheckedEvent[], ctx: IngestContext): Promise<Omit<IngestResponse, 'rejected'>> {
    const receivedAt = new Date().toISOString();
    const acceptedIds: string[] = [];
    const fresh: { input: ModelEventInput; tenant: string; id: string }[] = [];
    let duplicates = 0;
    const inBatch = new Set<string>();

    for (const e of events) {
      const id = e.id ?? newId();
      const tenant = ctx.tenant ?? (e.tenant_id as string);
      if (this.recent.has(id) || inBatch.has(id)) {
        duplicates++;
        acceptedIds.push(id);
        continue;
      }
      inBatch.add(id);
      fresh.push({ input: e, tenant, id });
    }

    if (fresh.length) {
      await this.deps.prices.refresh();
      await this.deps.sealer.prepare(new Set(fresh.filter((f) => f.input.trace).map((f) => f.tenant)));
      const records = fresh.map((f) => this.toRecord(f.input, f.tenant, f.id, receivedAt));
      const seqs = await this.deps.bus.append(records);
      if (!this.deps.bus.durable) await this.deps.writer?.waitCommitted(seqs[seqs.length - 1] as string);
      for (const f of fresh) {
        this.remember(f.id);
        acceptedIds.push(f.id);
      }
    }
    return { accepted: acceptedIds.length, accepted_ids: acceptedIds, duplicates };
  }

  /** Schema, then semantics (tenant, clock windows, storability). */
  private refusal(
    raw: unknown,
    ctx: IngestContext,
    now: number,
  ): { id: string | null; errors: { path: string; message: string }[] } | null {
    const id = typeof (raw as { id?: unknown })?.id === 'string' ? (raw as { id: string }).id : null;
    if (!checkEvent.Check(raw)) {
      // One message per path (the first is the most specific), at most ten.
      const byPath = new Map<string, string>();
      for (const e of checkEvent.Errors(raw)) {
        if (!byPath.has(e.path || '/')) byPath.set(e.path || '/', e.message);
        if (byPath.size >= 10) break;
      }
      return { id, errors: [...byPath].map(([path, message]) => ({ path, message })) };
    }
    const problem = this.checkSemantics(raw as ModelEventInput, ctx, now);
    return problem ? { id, errors: [problem] } : null;
  }

  private checkSemantics(e: ModelEventInput, ctx: IngestContext, now: number): { path: string; message: string } | null {
    if (ctx.tenant && e.tenant_id && e.tenant_id !== ctx.tenant) {
      return { path: '/tenant_id', message: `this credential may only send events of tenant '${ctx.tenant}'` };
    }
    if (!ctx.tenant && !e.tenant_id) return { path: '/tenant_id', message: 'required (the credential has no tenant of its own)' };
    if (!ctx.tenant && ctx.scope && e.tenant_id && !inScope(ctx.scope, e.tenant_id)) {
      return { path: '/tenant_id', message: `this credential may not write events of tenant '${e.tenant_id}'` };
    }
    const t = Date.parse(e.timestamp);
    if (t > now + MAX_FUTURE_MS) return { path: '/timestamp', message: 'more than 24 h in the future; check the sender clock' };
    if (t < now - MAX_PAST_MS) return { path: '/timestamp', message: 'older than the 30-day trace retention' };
    if (e.status === 'started' && (e.duration_ms ?? null) !== null) {
      return { path: '/duration_ms', message: 'a started event has no duration yet; send it on completed/failed' };
    }
    if (e.emitted_at) {
      // Same window as `timestamp`: the SDK stamps it after the call, from the same
      // clock; outside it (e.g. year 0000) PostgreSQL timestamptz may refuse it.
      const at = Date.parse(e.emitted_at);
      if (at > now + MAX_FUTURE_MS) return { path: '/emitted_at', message: 'more than 24 h in the future; check the sender clock' };
      if (at < now - MAX_PAST_MS) return { path: '/emitted_at', message: 'older than the 30-day trace retention; check the sender clock' };
    }
    // The schema cannot bound Record keys (they lose their maxLength).
    if (e.metadata) {
      for (const k in e.metadata)
        if (k.length > MAX_KEY_LENGTH) return { path: '/metadata', message: `keys must be at most ${MAX_KEY_LENGTH} characters` };
    }
    // Token parts are parts of their totals (contracts TOKEN_DETAILS): a larger part is
    // a sender counting differently (e.g. a total without its cached reads), and pricing
    // it either way would be a guess.
    const details = tokenDetails(e);
    const inputParts = (details.cached_input_tokens ?? 0) + (details.cache_write_tokens ?? 0);
    if (e.input_tokens != null && inputParts > e.input_tokens) {
      return {
        path: '/input_tokens',
        message: `is ${e.input_tokens}, less than cached_input_tokens + cache_write_tokens (${inputParts}); input_tokens counts every prompt token, cached ones included`,
      };
    }
    if (e.output_tokens != null && details.reasoning_tokens != null && details.reasoning_tokens > e.output_tokens) {
      return {
        path: '/output_tokens',
        message: `is ${e.output_tokens}, less than reasoning_tokens (${details.reasoning_tokens}); output_tokens counts reasoning tokens too`,
      };
    }
    // NUL, lone surrogates, non-finite numbers, depth: what storage would refuse.
    const unstorable = storageProblem(e);
    if (unstorable) return unstorable;
    return null;
  }

  private toRecord(e: ModelEventInput, tenant: string, id: string, receivedAt: string): EventRecord {
    const { redactor, sealer, prices } = this.deps;
    const final = e.status !== 'started';
    const metadata = e.metadata ? redactor.value(e.metadata, tenant) : {};
    const details = tokenDetails(e);
    const cost = final
      ? priceOf(prices.get(e.model_name, e.model_version), {
          input_tokens: e.input_tokens ?? null,
          output_tokens: e.output_tokens ?? null,
          ...details,
          metadata,
        })
      : null;
    let trace: SealedTrace | null = null;
    if (e.trace) {
      const r = redactor.trace({ input: e.trace.input, output: e.trace.output, rationale: e.trace.decision_rationale }, tenant);
      // One seal for the three fields (JSON.stringify leaves out the ones not captured).
      const sealed = sealer.seal(
        tenant,
        id,
        'payload',
        JSON.stringify({ input: r.input, output: r.output, decision_rationale: r.rationale }),
      );
      trace = {
        payload: sealed.sealed.toString('base64'),
        input: null,
        output: null,
        decision_rationale: null,
        confidence_score: e.trace.confidence_score ?? null,
        redactions: r.summary,
        key_version: sealed.keyVersion,
      };
    }
    return {
      event: {
        id,
        invocation_id: e.invocation_id,
        pipeline_run_id: e.pipeline_run_id ?? null,
        timestamp: new Date(e.timestamp).toISOString(),
        emitted_at: e.emitted_at ? new Date(e.emitted_at).toISOString() : null,
        received_at: receivedAt,
        tenant_id: tenant,
        document_id: e.document_id ?? null,
        stage: e.stage,
        model_name: e.model_name,
        model_version: e.model_version,
        operation: e.operation,
        status: e.status,
        duration_ms: e.duration_ms ?? null,
        input_tokens: e.input_tokens ?? null,
        output_tokens: e.output_tokens ?? null,
        ...details,
        cost_usd: cost,
        metadata,
        error: e.error ? { type: e.error.type, message: redactor.text(e.error.message, tenant) } : null,
        has_trace: trace !== null,
        confidence_score: e.trace?.confidence_score ?? null,
      },
      trace,
    };
  }

  private remember(id: string) {
    this.recent.set(id, true);
    const cap = this.deps.recentCapacity ?? 200_000;
    if (this.recent.size > cap) {
      // Maps iterate in insertion order: drop the oldest tenth in one go.
      let n = Math.ceil(cap / 10);
      for (const k of this.recent.keys()) {
        this.recent.delete(k);
        if (--n === 0) break;
      }
    }
  }
}
