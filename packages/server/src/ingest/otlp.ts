import fs from 'node:fs';
import path from 'node:path';
import type { ModelEventInput } from '@frostbyte/contracts';
import protobuf from 'protobufjs';
import { stableUuid } from '../kernel/stable-id.ts';

/**
 * OTLP/HTTP trace ingest (`POST /v1/traces`, JSON or protobuf): spans that carry
 * OpenTelemetry GenAI attributes become model events and go through the same ingest
 * path as native events. Each span gives a `started` (at its start) and a
 * `completed`/`failed` (at its end); their ids derive from the span, so a re-sent
 * export is idempotent like any replay.
 */

const root = protobuf.parse(fs.readFileSync(path.join(import.meta.dirname, 'otlp-trace.proto'), 'utf8'), { keepCase: false }).root;
const RequestType = root.lookupType('otlp.ExportTraceServiceRequest');

type AnyValue = {
  stringValue?: string;
  boolValue?: boolean;
  intValue?: string | number;
  doubleValue?: number;
  arrayValue?: { values?: AnyValue[] };
  kvlistValue?: { values?: KeyValue[] };
};
type KeyValue = { key: string; value?: AnyValue };
interface Span {
  traceId?: string;
  spanId?: string;
  name?: string;
  startTimeUnixNano?: string | number;
  endTimeUnixNano?: string | number;
  attributes?: KeyValue[];
  status?: { code?: number | string; message?: string };
}
interface Request {
  resourceSpans?: { resource?: { attributes?: KeyValue[] }; scopeSpans?: { spans?: Span[] }[] }[];
}

export class OtlpError extends Error {}

/** Decodes a protobuf body into the same shape as OTLP/JSON (camelCase, hex ids). */
export function decodeProtobuf(body: Buffer): Request {
  let msg: protobuf.Message;
  try {
    msg = RequestType.decode(body);
  } catch (e) {
    throw new OtlpError(`body is not an OTLP ExportTraceServiceRequest protobuf: ${(e as Error).message}`);
  }
  return RequestType.toObject(msg, { longs: String, bytes: String, defaults: false }) as Request;
}

function value(v: AnyValue | undefined): unknown {
  if (!v) return undefined;
  if (v.stringValue !== undefined) return v.stringValue;
  if (v.intValue !== undefined) return Number(v.intValue);
  if (v.doubleValue !== undefined) return v.doubleValue;
  if (v.boolValue !== undefined) return v.boolValue;
  if (v.arrayValue) return (v.arrayValue.values ?? []).map(value);
  if (v.kvlistValue) return Object.fromEntries((v.kvlistValue.values ?? []).map((kv) => [kv.key, value(kv.value)]));
  return undefined;
}

const attrs = (list: KeyValue[] | undefined) => new Map((list ?? []).map((kv) => [kv.key, value(kv.value)] as const));

/** OTLP/JSON ids are hex; protobufjs gives base64 for bytes. Normalise to hex. */
/** A trace (16 bytes) or span (8 bytes) id as hex: OTLP/JSON sends hex, protobuf
 * decoding gives base64. Anything else, or all zeros (invalid per OTLP), is ''. */
function hexId(id: unknown, bytes: 16 | 8): string {
  if (typeof id !== 'string' || !id) return '';
  let hex = '';
  if (id.length === bytes * 2 && /^[0-9a-f]+$/i.test(id)) hex = id.toLowerCase();
  else if (/^[A-Za-z0-9+/]+={0,2}$/.test(id)) {
    const b = Buffer.from(id, 'base64');
    if (b.length === bytes) hex = b.toString('hex');
  }
  return /^0*$/.test(hex) ? '' : hex;
}

/** Unix nanoseconds (a decimal string, or a number from lenient encoders) → ISO; null
 * for anything else, so the span is rejected on its own rather than the request failing. */
const nanosToIso = (n: unknown): string | null => {
  let v: bigint;
  if (typeof n === 'string' && /^[1-9]\d{0,20}$/.test(n)) v = BigInt(n);
  else if (typeof n === 'number' && Number.isFinite(n) && n > 0) v = BigInt(Math.round(n));
  else return null;
  const d = new Date(Number(v / 1_000_000n));
  return Number.isNaN(d.getTime()) ? null : d.toISOString();
};

const str = (v: unknown) => (typeof v === 'string' && v.length ? v : undefined);
const int = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) && v >= 0 ? Math.round(v) : undefined);
const slug = (v: string | undefined, fallback: string) => (v ?? fallback).replace(/[^A-Za-z0-9._:/@+-]/g, '-').replace(/^[^A-Za-z0-9]+/, '').slice(0, 128) || fallback;

export interface OtlpConversion {
  events: ModelEventInput[];
  /** Spans without GenAI attributes: not model calls, skipped. */
  ignored: number;
  rejected: { span: string; reason: string }[];
}

export function spansToEvents(req: Request): OtlpConversion {
  if (typeof req !== 'object' || req === null || (req.resourceSpans !== undefined && !Array.isArray(req.resourceSpans))) {
    throw new OtlpError('expected an ExportTraceServiceRequest: {"resourceSpans":[…]}');
  }
  const out: OtlpConversion = { events: [], ignored: 0, rejected: [] };
  for (const rs of req.resourceSpans ?? []) {
    const resource = attrs(rs.resource?.attributes);
    for (const ss of rs.scopeSpans ?? []) {
      for (const span of ss.spans ?? []) {
        const a = attrs(span.attributes);
        const get = (k: string) => a.get(k) ?? resource.get(k);
        const op = str(get('gen_ai.operation.name'));
        const model = str(get('gen_ai.response.model')) ?? str(get('gen_ai.request.model'));
        if (!op && !model) {
          out.ignored++;
          continue;
        }
        const traceId = hexId(span.traceId, 16);
        const spanId = hexId(span.spanId, 8);
        const start = nanosToIso(span.startTimeUnixNano);
        const end = nanosToIso(span.endTimeUnixNano);
        if (!traceId || !spanId || !start || !end) {
          out.rejected.push({ span: span.name ?? spanId, reason: 'traceId, spanId, startTimeUnixNano and endTimeUnixNano are required' });
          continue;
        }
        const failed = Number(span.status?.code) === 2 || span.status?.code === 'STATUS_CODE_ERROR' || get('error.type') !== undefined;
        const invocation = stableUuid('otlp', traceId, spanId);
        const provider = str(get('gen_ai.provider.name')) ?? str(get('gen_ai.system'));
        const common = {
          invocation_id: invocation,
          pipeline_run_id: traceId,
          tenant_id: str(get('frostbyte.tenant_id')),
          document_id: str(get('frostbyte.document_id')) ?? null,
          stage: slug(str(get('frostbyte.stage')), 'external'),
          model_name: slug(model, 'unknown-model'),
          model_version: slug(str(get('frostbyte.model_version')) ?? str(get('gen_ai.response.model')), 'unversioned'),
          operation: slug(op, 'invoke'),
          metadata: { source: 'otlp', span_name: span.name ?? null, provider: provider ?? null, trace_id: traceId, span_id: spanId },
        };
        if (common.tenant_id === undefined) delete (common as { tenant_id?: string }).tenant_id;
        out.events.push({ ...common, id: stableUuid('otlp', traceId, spanId, 'started'), timestamp: start, status: 'started' } as ModelEventInput);
        out.events.push({
          ...common,
          id: stableUuid('otlp', traceId, spanId, 'end'),
          timestamp: end,
          status: failed ? 'failed' : 'completed',
          duration_ms: Math.max(0, Date.parse(end) - Date.parse(start)),
          input_tokens: int(get('gen_ai.usage.input_tokens')) ?? null,
          output_tokens: int(get('gen_ai.usage.output_tokens')) ?? null,
          error: failed ? { type: String(get('error.type') ?? 'error'), message: span.status?.message ?? '' } : null,
        } as ModelEventInput);
      }
    }
  }
  return out;
}
