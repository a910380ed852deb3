import type { ModelEvent } from '@frostbyte/contracts';
import type { EventSourceLike } from '../lib/sse-client.ts';

/** Test data: a model event at stream position `<ms>-0`, unique per call. */
let counter = 0;
export function makeEvent(ms: number, patch: Partial<ModelEvent> = {}): ModelEvent {
  counter++;
  const id = `0190a0a0-0000-7000-8000-${String(ms).padStart(12, '0')}`;
  const ts = new Date(1_750_000_000_000 + ms).toISOString();
  return {
    id,
    seq: `${ms}-0`,
    invocation_id: `0190a0a0-1111-7000-8000-${String(ms).padStart(12, '0')}`,
    pipeline_run_id: null,
    timestamp: ts,
    emitted_at: ts,
    received_at: ts,
    tenant_id: 'tenant-a',
    document_id: `doc-${ms}`,
    stage: 'parse',
    model_name: 'frostbyte-docparse',
    model_version: '1.0.0',
    operation: 'parse',
    status: 'completed',
    duration_ms: 12,
    input_tokens: 100,
    output_tokens: 20,
    cached_input_tokens: null,
    cache_write_tokens: null,
    reasoning_tokens: null,
    cost_usd: 0.0001,
    metadata: { n: counter },
    error: null,
    has_trace: true,
    confidence_score: 0.9,
    ...patch,
  };
}

/** SSE wire text for events, exactly as `GET /telemetry/stream` writes it. */
export function wire(events: readonly ModelEvent[]): string {
  return events.map((e) => `event: model_event\nid: ${e.seq}\ndata: ${JSON.stringify({ type: 'model_event', event: e })}\n\n`).join('');
}

export interface WireFrame {
  event: string;
  id: string;
  data: string;
}

/** Parses SSE wire text the way EventSource does (fields, blank-line dispatch,
 * comments ignored, `id:` carried forward). */
export function parseWire(text: string, lastId = ''): WireFrame[] {
  const out: WireFrame[] = [];
  let event = '';
  let data: string[] = [];
  let id = lastId;
  for (const line of text.split('\n')) {
    if (line === '') {
      if (data.length) out.push({ event: event || 'message', id, data: data.join('\n') });
      event = '';
      data = [];
      continue;
    }
    if (line.startsWith(':')) continue;
    const i = line.indexOf(':');
    const field = i < 0 ? line : line.slice(0, i);
    const value = i < 0 ? '' : line.slice(i + 1).replace(/^ /, '');
    if (field === 'event') event = value;
    else if (field === 'data') data.push(value);
    else if (field === 'id') id = value;
  }
  return out;
}

/** A stand-in for the browser's EventSource that tests drive frame by frame. */
export class FakeEventSource implements EventSourceLike {
  static instances: FakeEventSource[] = [];
  readyState = 0;
  onopen: ((ev: Event) => unknown) | null = null;
  onerror: ((ev: Event) => unknown) | null = null;
  private listeners = new Map<string, ((ev: MessageEvent) => void)[]>();
  lastEventId = '';
  constructor(readonly url: string) {
    FakeEventSource.instances.push(this);
  }
  static latest(): FakeEventSource {
    const es = FakeEventSource.instances[FakeEventSource.instances.length - 1];
    if (!es) throw new Error('no EventSource created');
    return es;
  }
  addEventListener(type: string, l: (ev: MessageEvent) => void): void {
    this.listeners.set(type, [...(this.listeners.get(type) ?? []), l]);
  }
  close(): void {
    this.readyState = 2;
  }
  open(): void {
    this.readyState = 1;
    this.onopen?.(new Event('open'));
  }
  /** Delivers wire text; returns the frames it dispatched. */
  send(text: string): WireFrame[] {
    const frames = parseWire(text, this.lastEventId);
    for (const f of frames) {
      this.lastEventId = f.id;
      const ev = new MessageEvent(f.event, { data: f.data, lastEventId: f.id });
      for (const l of this.listeners.get(f.event) ?? []) l(ev);
    }
    return frames;
  }
  /** The connection dropped; `retrying` mimics the browser's own reconnect. */
  fail(retrying: boolean): void {
    this.readyState = retrying ? 0 : 2;
    this.onerror?.(new Event('error'));
  }
}
