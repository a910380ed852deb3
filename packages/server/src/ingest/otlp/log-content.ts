import { createHash } from 'node:crypto';
import type { DecisionTrace, ModelEvent } from '@frostbyte/contracts';
import type { ServerRedactor, TraceSealer } from '../../kernel/ports.ts';
import { stableUuid } from '../../kernel/stable-id.ts';
import { inScope, type TenantScope } from '../../kernel/tenant-scope.ts';
import { scoped } from '../../storage/scoped.ts';
import type { SqlClient } from '../../storage/sql-client.ts';
import { unstorableText } from '../storable.ts';
import { attributeMap, hexId, nanosToIso, OtlpError, type OtlpLogsRequest, value } from './decode.ts';
import { genAiContent } from './gen-ai.ts';
import { Attributes } from './reading.ts';

/**
 * OTLP logs → the content of a span's decision trace. The GenAI conventions may send a
 * call's messages as log records (`gen_ai.user.message`, `gen_ai.choice`,
 * `gen_ai.client.inference.operation.details`, …) instead of span attributes or span
 * events; each names its span by trace id + span id, and may arrive before or after
 * the span.
 *
 * So the content is joined when the event is read, not when it is written: a log is
 * redacted, sealed with the tenant's data key and kept (migrations/0022_otlp_log_content),
 * and `GET /v1/events/:id` reads the logs of the event's span and fills the trace's
 * input/output that the span itself did not carry. Order of arrival cannot matter, and
 * no stored event (nor its audit leaf) is ever rewritten.
 *
 * Precedence: content on the span wins; logs fill a missing input or output. The logs
 * of one span are read as that span's events, in time order, with the same reader as
 * span events (gen-ai.ts `genAiContent`).
 *
 * Accounted for, as with spans: a record is stored (GenAI event with its span), counted
 * (not a GenAI event: application logs), or refused with its index and the reason.
 */

export interface LogContent {
  id: string;
  tenant: string;
  traceId: string;
  spanId: string;
  time: string;
  eventName: string;
  /** The record's attributes with the body's fields (body first, attributes win). */
  attributes: Record<string, unknown>;
}

export interface RefusedLog {
  /** Position of the record in the request (resource, scope, record flattened). */
  index: number;
  eventName: string;
  reason: string;
}

export interface LogConversion {
  contents: LogContent[];
  notGenAi: number;
  rejected: RefusedLog[];
}

const MAX_EVENT_NAME = 256;

/** The event name: the LogRecord field (OTLP 1.5+), else the `event.name` attribute. */
const eventNameOf = (field: unknown, attrs: Map<string, unknown>): string => {
  if (typeof field === 'string' && field) return field;
  const a = attrs.get('event.name');
  return typeof a === 'string' ? a : '';
};

export function logsToContents(req: OtlpLogsRequest, ctx: { tenant: string | null; scope?: TenantScope }): LogConversion {
  if (typeof req !== 'object' || req === null || (req.resourceLogs !== undefined && !Array.isArray(req.resourceLogs))) {
    throw new OtlpError('expected an ExportLogsServiceRequest: {"resourceLogs":[…]}');
  }
  const out: LogConversion = { contents: [], notGenAi: 0, rejected: [] };
  let index = -1;
  for (const rl of req.resourceLogs ?? []) {
    const resource = attributeMap(rl.resource?.attributes);
    for (const sl of rl.scopeLogs ?? []) {
      for (const rec of sl.logRecords ?? []) {
        index++;
        const attrs = attributeMap(rec.attributes);
        const eventName = eventNameOf(rec.eventName, attrs);
        if (!eventName.startsWith('gen_ai.')) {
          out.notGenAi++;
          continue;
        }
        const refuse = (reason: string) => out.rejected.push({ index, eventName: eventName.slice(0, MAX_EVENT_NAME), reason });
        if (eventName.length > MAX_EVENT_NAME || unstorableText(eventName)) {
          refuse(`the event name must be at most ${MAX_EVENT_NAME} characters of well-formed text`);
          continue;
        }
        const traceId = hexId(rec.traceId, 16);
        const spanId = hexId(rec.spanId, 8);
        if (!traceId || !spanId) {
          refuse('a GenAI event log needs the traceId and spanId of its span (emit it inside the span)');
          continue;
        }
        const named = (attrs.get('frostbyte.tenant_id') ?? resource.get('frostbyte.tenant_id')) as unknown;
        const claimed = typeof named === 'string' && named ? named : null;
        if (ctx.tenant && claimed && claimed !== ctx.tenant) {
          refuse(`this credential may only send logs of tenant '${ctx.tenant}'`);
          continue;
        }
        const tenant = ctx.tenant ?? claimed;
        if (!tenant) {
          refuse('frostbyte.tenant_id is required (resource attribute): the credential has no tenant of its own');
          continue;
        }
        if (!ctx.tenant && ctx.scope && !inScope(ctx.scope, tenant)) {
          refuse(`this credential may not write logs of tenant '${tenant}'`);
          continue;
        }
        const time = nanosToIso(rec.timeUnixNano) ?? nanosToIso(rec.observedTimeUnixNano);
        if (!time) {
          refuse('timeUnixNano (or observedTimeUnixNano) is required');
          continue;
        }
        const body = value(rec.body);
        const attributes: Record<string, unknown> = {
          ...(body && typeof body === 'object' && !Array.isArray(body)
            ? (body as Record<string, unknown>)
            : body === undefined
              ? {}
              : { content: body }),
          ...Object.fromEntries(attrs),
        };
        delete attributes['event.name'];
        const digest = createHash('sha256').update(JSON.stringify(attributes)).digest('hex');
        out.contents.push({
          id: stableUuid('otlp-log', tenant, traceId, spanId, String(rec.timeUnixNano ?? rec.observedTimeUnixNano), eventName, digest),
          tenant,
          traceId,
          spanId,
          time,
          eventName,
          attributes,
        });
      }
    }
  }
  return out;
}

/** One stored log, opened: what the read side joins to the span's event. */
export interface OpenedLog {
  time: string;
  eventName: string;
  attributes: Record<string, unknown> | null;
  redactions: Record<string, number>;
}

export interface LogOpener {
  open(
    tenant: string,
    rowId: string,
    column: 'payload',
    sealedB64: string | null,
  ): { ok: true; text: string | null } | { ok: false; reason: string };
}

/** The repository of migrations/0022_otlp_log_content (tenant-scoped, like every other). */
export class OtlpLogStore {
  constructor(
    private readonly db: SqlClient,
    private readonly crypto: TraceSealer & LogOpener,
  ) {}

  /** Redacts, seals and stores; a record stored before (same id) is skipped. Returns
   * how many were new. */
  async store(scope: TenantScope, contents: readonly LogContent[], redactor: ServerRedactor): Promise<number> {
    if (!contents.length) return 0;
    await this.crypto.prepare(new Set(contents.map((c) => c.tenant)));
    const rows = contents.map((c) => {
      const r = redactor.trace({ input: c.attributes, output: undefined, rationale: undefined });
      const sealed = this.crypto.seal(c.tenant, c.id, 'payload', JSON.stringify(r.input));
      return [
        c.id,
        c.tenant,
        c.traceId,
        c.spanId,
        c.time,
        c.eventName,
        sealed.sealed.toString('base64'),
        sealed.keyVersion,
        JSON.stringify(r.summary),
      ];
    });
    return scoped(this.db, scope, async (tx) => {
      let added = 0;
      for (let i = 0; i < rows.length; i += 500) {
        const chunk = rows.slice(i, i + 500);
        const col = (k: number) => chunk.map((r) => r[k]);
        const res = await tx.query(
          `INSERT INTO otlp_log_contents (id, tenant_id, trace_id, span_id, "time", event_name, payload, key_version, redactions)
           SELECT id, tenant_id, trace_id, span_id, t, event_name, decode(payload, 'base64'), key_version, redactions
           FROM unnest($1::uuid[], $2::text[], $3::text[], $4::text[], $5::timestamptz[], $6::text[], $7::text[], $8::int[], $9::jsonb[])
             AS x(id, tenant_id, trace_id, span_id, t, event_name, payload, key_version, redactions)
           ON CONFLICT (id) DO NOTHING
           RETURNING id`,
          [col(0), col(1), col(2), col(3), col(4), col(5), col(6), col(7), col(8)],
        );
        added += res.rows.length;
      }
      return added;
    });
  }

  /** The logs of one span, oldest first, opened (attributes null: key destroyed). */
  async forSpan(scope: TenantScope, tenant: string, traceId: string, spanId: string): Promise<OpenedLog[]> {
    const { rows } = await scoped(this.db, scope, (tx) =>
      tx.query<{ id: string; time: unknown; event_name: string; payload: string; redactions: Record<string, number> | null }>(
        `SELECT id, "time", event_name, encode(payload, 'base64') AS payload, redactions FROM otlp_log_contents
          WHERE tenant_id = $1 AND trace_id = $2 AND span_id = $3 ORDER BY "time", id LIMIT 1000`,
        [tenant, traceId, spanId],
      ),
    );
    return rows.map((r) => {
      const opened = this.crypto.open(tenant, r.id, 'payload', r.payload);
      const attributes = opened.ok && opened.text !== null ? (JSON.parse(opened.text) as Record<string, unknown>) : null;
      return { time: new Date(r.time as string).toISOString(), eventName: r.event_name, attributes, redactions: r.redactions ?? {} };
    });
  }
}

/** The span an OTLP event came from, or null for native events and `started` ones
 * (the conversation belongs to the call's end, as for span content). */
export function spanOf(event: ModelEvent): { traceId: string; spanId: string } | null {
  const m = event.metadata;
  if (m.source !== 'otlp' || event.status === 'started') return null;
  return typeof m.trace_id === 'string' && typeof m.span_id === 'string' ? { traceId: m.trace_id, spanId: m.span_id } : null;
}

/**
 * The trace as served with the span's logs joined: logs fill the input or output the
 * span did not carry. A reader who may not see payloads (or a destroyed key) gets a
 * closed trace, as for stored traces. Null when there is neither.
 */
export function joinLogs(
  event: ModelEvent,
  stored: DecisionTrace | null,
  logs: readonly OpenedLog[],
  canSee: boolean,
): DecisionTrace | null {
  if (!logs.length) return stored;
  const redactions: Record<string, number> = { ...(stored?.redactions ?? {}) };
  for (const l of logs) for (const [k, n] of Object.entries(l.redactions)) redactions[k] = (redactions[k] ?? 0) + n;
  const base: DecisionTrace = stored ?? {
    event_id: event.id,
    tenant_id: event.tenant_id,
    timestamp: event.timestamp,
    input: null,
    output: null,
    decision_rationale: null,
    confidence_score: null,
    redactions: {},
    readable: canSee,
  };
  if (!canSee || (stored && !stored.readable) || logs.some((l) => l.attributes === null)) {
    return {
      ...base,
      input: stored?.readable ? base.input : null,
      output: stored?.readable ? base.output : null,
      redactions,
      readable: false,
    };
  }
  const events = logs.map((l) => ({ name: l.eventName, attrs: new Attributes(new Map(Object.entries(l.attributes ?? {}))) }));
  const content = genAiContent({ name: '', attrs: new Attributes(new Map()), events });
  return {
    ...base,
    input: base.input ?? content.input ?? null,
    output: base.output ?? content.output ?? null,
    redactions,
    readable: true,
  };
}
