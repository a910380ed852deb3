import type { ModelEvent } from '@frostbyte/contracts';
import type { BusRecord, SealedTrace } from '../kernel/event-record.ts';
import { parseSeq, seqToString } from '../kernel/seq.ts';
import { isoOrNull, numOrNull, pgArray } from './sql-values.ts';

/**
 * The event, declared once. Each field of the contract's `ModelEvent` has one row here:
 * its column type in `model_events` and, where the default does not fit, how a record
 * becomes the column's value and a row becomes the field again. From this table come
 * the INSERT (one `unnest($n::type[])` per column, in this order), the SELECT list and
 * the row → event mapping. The `satisfies` below makes the compiler refuse a contract
 * field without a column, so adding a field is: the contract, a migration, one row
 * here, and the code that produces the value.
 */
type PgType = 'uuid' | 'bigint' | 'text' | 'timestamptz' | 'float8' | 'int' | 'numeric' | 'jsonb' | 'bool' | 'real';
type Scalar = string | number | boolean | null;

interface Column {
  type: PgType;
  /** The value written for one bus record (default: the event's field as it is). */
  write?: (r: BusRecord) => Scalar;
  /** The field read back from a row (default by type: ISO time, number or null, …). */
  read?: (v: unknown) => unknown;
}

export const EVENT_TABLE = {
  id: { type: 'uuid' },
  seq: {
    type: 'bigint',
    write: (r) => {
      const s = parseSeq(r.seq);
      if (s === null) throw new Error(`bad seq ${r.seq}`);
      return s.toString();
    },
    read: (v) => seqToString(BigInt(v as string)),
  },
  invocation_id: { type: 'uuid' },
  pipeline_run_id: { type: 'text' },
  timestamp: { type: 'timestamptz' },
  emitted_at: { type: 'timestamptz' },
  received_at: { type: 'timestamptz' },
  tenant_id: { type: 'text' },
  document_id: { type: 'text' },
  stage: { type: 'text' },
  model_name: { type: 'text' },
  model_version: { type: 'text' },
  operation: { type: 'text' },
  status: { type: 'text' },
  duration_ms: { type: 'float8' },
  input_tokens: { type: 'int' },
  output_tokens: { type: 'int' },
  cached_input_tokens: { type: 'int' },
  cache_write_tokens: { type: 'int' },
  reasoning_tokens: { type: 'int' },
  cost_usd: { type: 'numeric' },
  metadata: { type: 'jsonb', write: (r) => JSON.stringify(r.record.event.metadata ?? {}), read: (v) => v ?? {} },
  error: { type: 'jsonb', write: (r) => (r.record.event.error ? JSON.stringify(r.record.event.error) : null) },
  has_trace: { type: 'bool', write: (r) => r.record.trace !== null, read: (v) => Boolean(v) },
  confidence_score: { type: 'real' },
} satisfies Record<keyof ModelEvent, Column>;

type Field = keyof typeof EVENT_TABLE;

/** Columns whose array-literal items are quoted: free text, JSON and timestamps (as
 * the client sent them). Uuids, numbers, booleans and base64 never need it (pgArray). */
const QUOTED: ReadonlySet<PgType> = new Set(['text', 'jsonb', 'timestamptz']);

const defaultRead: Record<PgType, (v: unknown) => unknown> = {
  uuid: (v) => v,
  bigint: (v) => v,
  text: (v) => v ?? null,
  timestamptz: isoOrNull,
  float8: numOrNull,
  int: numOrNull,
  numeric: numOrNull,
  real: numOrNull,
  jsonb: (v) => v ?? null,
  bool: (v) => v,
};

const FIELDS = Object.keys(EVENT_TABLE) as Field[];
const COLUMNS: readonly (Column & { field: Field })[] = FIELDS.map((field) => ({ field, ...(EVENT_TABLE[field] as Column) }));

const quote = (name: string) => (name === 'timestamp' ? `"timestamp"` : name);

/** The SELECT / INSERT column list of model_events, in table order. */
export const EVENT_COLUMN_LIST = COLUMNS.map((c) => quote(c.field)).join(', ');

/** `unnest($first::uuid[], …)` over the event columns, parameters numbered from `first`. */
export function eventUnnest(first: number): string {
  return `unnest(${COLUMNS.map((c, i) => `$${first + i}::${c.type}[]`).join(', ')})`;
}

/** The batch as one array-literal parameter per event column, in table order. */
export function eventArrays(records: readonly BusRecord[]): string[] {
  return COLUMNS.map((c) => {
    const values: Scalar[] = new Array(records.length);
    const field = c.field;
    for (let i = 0; i < records.length; i++) {
      const r = records[i] as BusRecord;
      values[i] = c.write ? c.write(r) : ((r.record.event as Record<string, unknown>)[field] as Scalar);
    }
    return pgArray(values, QUOTED.has(c.type));
  });
}

/** A model_events row (any superset of the columns) as the contract's event. */
export function toEvent(row: Record<string, unknown>): ModelEvent {
  const e: Record<string, unknown> = {};
  for (const c of COLUMNS) e[c.field] = (c.read ?? defaultRead[c.type])(row[c.field]);
  return e as ModelEvent;
}

/** decision_traces, the same way: the sealed fields travel base64 and are decoded in SQL. */
const TRACE_TABLE: readonly { column: string; type: PgType; quoted: boolean; write: (r: BusRecord, t: SealedTrace) => Scalar }[] = [
  { column: 'event_id', type: 'uuid', quoted: false, write: (r) => r.record.event.id },
  { column: 'tenant_id', type: 'text', quoted: true, write: (r) => r.record.event.tenant_id },
  { column: 'timestamp', type: 'timestamptz', quoted: true, write: (r) => r.record.event.timestamp },
  { column: 'input', type: 'text', quoted: false, write: (_r, t) => t.input },
  { column: 'output', type: 'text', quoted: false, write: (_r, t) => t.output },
  { column: 'decision_rationale', type: 'text', quoted: false, write: (_r, t) => t.decision_rationale },
  { column: 'confidence_score', type: 'real', quoted: false, write: (_r, t) => t.confidence_score },
  { column: 'redactions', type: 'jsonb', quoted: true, write: (_r, t) => JSON.stringify(t.redactions ?? {}) },
  { column: 'key_version', type: 'int', quoted: false, write: (_r, t) => t.key_version },
  { column: 'payload', type: 'text', quoted: false, write: (_r, t) => t.payload ?? null },
];
const BYTEA = new Set(['input', 'output', 'decision_rationale', 'payload']);

/** The INSERT of the batch's traces from `unnest` parameters numbered from `first`,
 * restricted to the events the statement's `ins` CTE actually inserted. */
export function traceInsert(first: number): string {
  const cols = TRACE_TABLE.map((c) => quote(c.column)).join(', ');
  const vals = TRACE_TABLE.map((c) => (BYTEA.has(c.column) ? `decode(t.${c.column}, 'base64')` : `t.${quote(c.column)}`)).join(', ');
  const unnest = TRACE_TABLE.map((c, i) => `$${first + i}::${c.type}[]`).join(', ');
  return `INSERT INTO decision_traces (${cols})
        SELECT ${vals}
        FROM unnest(${unnest}) AS t(${cols})
        WHERE t.event_id IN (SELECT id FROM ins)
        ON CONFLICT DO NOTHING`;
}

export function traceArrays(records: readonly BusRecord[]): string[] {
  const withTrace = records.filter((r) => r.record.trace !== null);
  return TRACE_TABLE.map((c) => pgArray(withTrace.map((r) => c.write(r, r.record.trace as SealedTrace)), c.quoted));
}

export const TRACE_PARAMS = TRACE_TABLE.length;
export const EVENT_PARAMS = COLUMNS.length;
