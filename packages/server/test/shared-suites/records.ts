import type { BusRecord, EventRecord } from '../../src/kernel/event-record.ts';
import { makeEvent } from '../helper.ts';

let ms = Date.now();
/** Increasing positions in the bus's shape, for storage tests that bypass the bus. */
export function nextSeqs(n: number): string[] {
  ms += 1;
  return Array.from({ length: n }, (_, i) => `${ms}-${i}`);
}

export function record(over: Parameters<typeof makeEvent>[0] = {}, trace: EventRecord['trace'] = null): EventRecord {
  const e = makeEvent(over);
  return {
    event: {
      id: e.id,
      invocation_id: e.invocation_id,
      pipeline_run_id: null,
      timestamp: e.timestamp,
      emitted_at: null,
      received_at: new Date().toISOString(),
      tenant_id: e.tenant_id as string,
      document_id: e.document_id ?? null,
      stage: e.stage,
      model_name: e.model_name,
      model_version: e.model_version,
      operation: e.operation,
      status: e.status,
      duration_ms: e.status === 'started' ? null : (e.duration_ms ?? null),
      input_tokens: e.input_tokens ?? null,
      output_tokens: e.output_tokens ?? null,
      cached_input_tokens: e.cached_input_tokens ?? null,
      cache_write_tokens: e.cache_write_tokens ?? null,
      reasoning_tokens: e.reasoning_tokens ?? null,
      cost_usd: e.status === 'started' ? null : 0.001,
      metadata: {},
      error: null,
      has_trace: trace !== null,
      confidence_score: trace?.confidence_score ?? null,
    },
    trace,
  };
}

export function withSeqs(records: EventRecord[]): BusRecord[] {
  const seqs = nextSeqs(records.length);
  return records.map((record, i) => ({ seq: seqs[i] as string, record }));
}
