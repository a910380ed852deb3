import fs from 'node:fs';
import path from 'node:path';
import protobuf from 'protobufjs';

/**
 * The wire side of OTLP/HTTP traces: protobuf → the OTLP/JSON shape, attribute values
 * → plain JS, ids → hex, nanoseconds → ISO. Nothing here knows about GenAI.
 */

const root = protobuf.parse(fs.readFileSync(path.join(import.meta.dirname, 'otlp-trace.proto'), 'utf8'), { keepCase: false }).root;
const RequestType = root.lookupType('otlp.ExportTraceServiceRequest');

export type AnyValue = {
  stringValue?: string;
  boolValue?: boolean;
  intValue?: string | number;
  doubleValue?: number;
  arrayValue?: { values?: AnyValue[] };
  kvlistValue?: { values?: KeyValue[] };
};
export type KeyValue = { key: string; value?: AnyValue };
export interface OtlpSpanEvent {
  name?: string;
  timeUnixNano?: string | number;
  attributes?: KeyValue[];
}
export interface OtlpSpan {
  traceId?: string;
  spanId?: string;
  parentSpanId?: string;
  name?: string;
  startTimeUnixNano?: string | number;
  endTimeUnixNano?: string | number;
  attributes?: KeyValue[];
  events?: OtlpSpanEvent[];
  status?: { code?: number | string; message?: string };
}
export interface OtlpTraceRequest {
  resourceSpans?: { resource?: { attributes?: KeyValue[] }; scopeSpans?: { scope?: { name?: string }; spans?: OtlpSpan[] }[] }[];
}

export interface OtlpLogRecord {
  timeUnixNano?: string | number;
  observedTimeUnixNano?: string | number;
  severityNumber?: number | string;
  body?: AnyValue;
  attributes?: KeyValue[];
  traceId?: string;
  spanId?: string;
  eventName?: string;
}
export interface OtlpLogsRequest {
  resourceLogs?: { resource?: { attributes?: KeyValue[] }; scopeLogs?: { scope?: { name?: string }; logRecords?: OtlpLogRecord[] }[] }[];
}

export class OtlpError extends Error {}

const LogsRequestType = root.lookupType('otlp.ExportLogsServiceRequest');

/** Decodes a protobuf logs body into the OTLP/JSON shape, like `decodeProtobuf`. */
export function decodeLogsProtobuf(body: Buffer): OtlpLogsRequest {
  let msg: protobuf.Message;
  try {
    msg = LogsRequestType.decode(body);
  } catch (e) {
    throw new OtlpError(`body is not an OTLP ExportLogsServiceRequest protobuf: ${(e as Error).message}`);
  }
  return LogsRequestType.toObject(msg, { longs: String, bytes: String, defaults: false }) as OtlpLogsRequest;
}

/** Decodes a protobuf body into the same shape as OTLP/JSON (camelCase, hex ids). */
export function decodeProtobuf(body: Buffer): OtlpTraceRequest {
  let msg: protobuf.Message;
  try {
    msg = RequestType.decode(body);
  } catch (e) {
    throw new OtlpError(`body is not an OTLP ExportTraceServiceRequest protobuf: ${(e as Error).message}`);
  }
  return RequestType.toObject(msg, { longs: String, bytes: String, defaults: false }) as OtlpTraceRequest;
}

export function value(v: AnyValue | undefined): unknown {
  if (!v) return undefined;
  if (v.stringValue !== undefined) return v.stringValue;
  if (v.intValue !== undefined) return Number(v.intValue);
  if (v.doubleValue !== undefined) return v.doubleValue;
  if (v.boolValue !== undefined) return v.boolValue;
  if (v.arrayValue) return (v.arrayValue.values ?? []).map(value);
  if (v.kvlistValue) return Object.fromEntries((v.kvlistValue.values ?? []).map((kv) => [kv.key, value(kv.value)]));
  return undefined;
}

export const attributeMap = (list: KeyValue[] | undefined): Map<string, unknown> => new Map((list ?? []).map((kv) => [kv.key, value(kv.value)] as const));

/** A trace (16 bytes) or span (8 bytes) id as hex: OTLP/JSON sends hex, protobuf
 * decoding gives base64. Anything else, or all zeros (invalid per OTLP), is ''. */
export function hexId(id: unknown, bytes: 16 | 8): string {
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
export const nanosToIso = (n: unknown): string | null => {
  let v: bigint;
  if (typeof n === 'string' && /^[1-9]\d{0,20}$/.test(n)) v = BigInt(n);
  else if (typeof n === 'number' && Number.isFinite(n) && n > 0) v = BigInt(Math.round(n));
  else return null;
  const d = new Date(Number(v / 1_000_000n));
  return Number.isNaN(d.getTime()) ? null : d.toISOString();
};
