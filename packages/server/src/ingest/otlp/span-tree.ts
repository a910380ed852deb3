import { attributeMap, hexId, type OtlpSpan, type OtlpTraceRequest } from './decode.ts';
import { readSpan } from './precedence.ts';
import { Attributes, type SpanReading, type SpanView } from './reading.ts';

/**
 * The spans of one export request as trees: each span with its parent, its reading,
 * and what it inherits. A workflow or agent span's `frostbyte.document_id`, tenant,
 * run, stage apply to every call below it; the nearest ancestor that names one wins,
 * then the resource. Baggage arrives the same way: a BaggageSpanProcessor copies the
 * baggage entries (`frostbyte.document_id`, …) onto every span as attributes.
 *
 * Only ancestors in the same request are seen: a BatchSpanProcessor exports a parent
 * after its children only when it ends after the batch was cut (long-running agents),
 * which is why baggage or attributes on the call spans themselves are the robust way.
 */

export interface TreeSpan {
  span: OtlpSpan;
  name: string;
  traceId: string;
  spanId: string;
  parentSpanId: string;
  view: SpanView;
  reading: SpanReading | null;
  resource: Attributes;
}

/** What a model call inherits, each key read in this order on the span, then ancestors. */
const INHERITED: Record<'document_id' | 'tenant_id' | 'run_id' | 'stage', string[]> = {
  document_id: ['frostbyte.document_id', 'ai.telemetry.metadata.document_id', 'ai.telemetry.metadata.documentId', 'traceloop.association.properties.document_id', 'metadata.document_id'],
  tenant_id: ['frostbyte.tenant_id'],
  run_id: ['frostbyte.pipeline_run_id', 'frostbyte.run_id'],
  stage: ['frostbyte.stage'],
};
export type Inherited = Partial<Record<keyof typeof INHERITED, string>>;

const MAX_DEPTH = 64;

export function spanTree(req: OtlpTraceRequest): TreeSpan[] {
  const out: TreeSpan[] = [];
  for (const rs of req.resourceSpans ?? []) {
    const resource = new Attributes(attributeMap(rs.resource?.attributes));
    for (const ss of rs.scopeSpans ?? []) {
      for (const span of ss.spans ?? []) {
        const view: SpanView = {
          name: typeof span.name === 'string' ? span.name : '',
          attrs: new Attributes(attributeMap(span.attributes)),
          events: (span.events ?? []).map((e) => ({ name: typeof e.name === 'string' ? e.name : '', attrs: new Attributes(attributeMap(e.attributes)) })),
        };
        out.push({
          span,
          name: view.name,
          traceId: hexId(span.traceId, 16),
          spanId: hexId(span.spanId, 8),
          parentSpanId: hexId(span.parentSpanId, 8),
          view,
          reading: readSpan(view),
          resource,
        });
      }
    }
  }
  return out;
}

export class SpanIndex {
  private readonly byId = new Map<string, TreeSpan>();

  constructor(spans: TreeSpan[]) {
    for (const s of spans) if (s.spanId) this.byId.set(`${s.traceId}/${s.spanId}`, s);
  }

  /** Parent first, up to the root; a cycle or a very deep tree stops the walk. */
  ancestors(s: TreeSpan): TreeSpan[] {
    const out: TreeSpan[] = [];
    const seen = new Set<TreeSpan>([s]);
    let cur = s;
    while (cur.parentSpanId && out.length < MAX_DEPTH) {
      const p = this.byId.get(`${cur.traceId}/${cur.parentSpanId}`);
      if (!p || seen.has(p)) break;
      out.push(p);
      seen.add(p);
      cur = p;
    }
    return out;
  }

  inherited(s: TreeSpan): Inherited {
    const chain = [s, ...this.ancestors(s)];
    const out: Inherited = {};
    for (const [field, keys] of Object.entries(INHERITED) as [keyof Inherited, string[]][]) {
      for (const t of chain) {
        const v = firstOf(t.view.attrs, keys);
        if (v) {
          out[field] = v;
          break;
        }
      }
      out[field] ??= firstOf(s.resource, keys);
    }
    return out;
  }

  /** The context spans above a call (agent, workflow, chain, tool), nearest first:
   * kept on the event so the tracer can show what the call was part of. */
  context(s: TreeSpan): { span_id: string; name: string; operation: string | null; entity: string | null }[] {
    return this.ancestors(s)
      .filter((a) => a.reading?.kind === 'context')
      .slice(0, 8)
      .map((a) => ({ span_id: a.spanId, name: a.name.slice(0, 200), operation: a.reading?.operation ?? null, entity: a.reading?.entity?.slice(0, 200) ?? null }));
  }
}

function firstOf(a: Attributes, keys: string[]): string | undefined {
  for (const k of keys) {
    const v = a.str(k);
    if (v) return v;
  }
  return undefined;
}
