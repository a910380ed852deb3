import type { ModelEvent } from '@frostbyte/contracts';

/** One enclosing span as the server keeps it (`metadata.context`, nearest first). */
interface ContextSpan {
  span_id?: string;
  name?: string;
  operation?: string | null;
  entity?: string | null;
}

/** The spans around an OTLP call (agent, workflow, chain, tool spans are not calls but
 * the call's context), outermost first, down to the call itself; null for native events. */
export function spanPath(e: ModelEvent): { name: string; detail: string; spanId: string | null; current: boolean }[] | null {
  const m = e.metadata as Record<string, unknown>;
  if (m.source !== 'otlp') return null;
  const context = Array.isArray(m.context) ? (m.context as ContextSpan[]) : [];
  const outer = [...context].reverse().map((c) => ({
    name: String(c.name ?? 'span'),
    detail: [c.operation, c.entity].filter(Boolean).join(' · '),
    spanId: typeof c.span_id === 'string' ? c.span_id : null,
    current: false,
  }));
  const self = {
    name: typeof m.span_name === 'string' ? m.span_name : e.operation,
    detail: [e.operation, typeof m.family === 'string' ? m.family : null].filter(Boolean).join(' · '),
    spanId: typeof m.span_id === 'string' ? m.span_id : null,
    current: true,
  };
  return [...outer, self];
}

/** The call inside its span tree: each level nested in the one around it. */
export function SpanTree({ event }: { event: ModelEvent }) {
  const path = spanPath(event);
  if (!path) return null;
  const m = event.metadata as Record<string, unknown>;
  const render = (i: number) => {
    const s = path[i];
    if (!s) return null;
    return (
      <ul className={i === 0 ? 'span-tree' : undefined}>
        <li aria-current={s.current ? 'true' : undefined} className={s.current ? 'span-current' : undefined}>
          <span className="mono span-name">{s.name}</span>
          {s.detail && <span className="muted"> {s.detail}</span>}
          {s.spanId && <span className="muted mono span-id"> {s.spanId}</span>}
          {render(i + 1)}
        </li>
      </ul>
    );
  };
  return (
    <div>
      <p className="muted">
        Trace <span className="mono">{typeof m.trace_id === 'string' ? m.trace_id : '—'}</span>
        {typeof m.parent_span_id === 'string' && (
          <>
            {' '}
            · parent span <span className="mono">{m.parent_span_id}</span>
          </>
        )}
      </p>
      <nav aria-label="Span tree">{render(0)}</nav>
    </div>
  );
}
