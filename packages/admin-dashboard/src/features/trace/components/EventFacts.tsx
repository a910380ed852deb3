import type { ModelEvent } from '@frostbyte/contracts';
import type { ReactNode } from 'react';
import { StatusBadge } from '../../../components/StatusBadge.tsx';
import { formatCost, formatCount, formatDateTime, formatMs } from '../../../lib/format.ts';

/** Who, what and how much: the facts of one model event. */
export function EventFacts({ event: e }: { event: ModelEvent }) {
  const skewMs = e.emitted_at ? new Date(e.received_at).getTime() - new Date(e.emitted_at).getTime() : null;
  const mono = (text: string | null) => <span className="mono">{text ?? '—'}</span>;
  const facts: [string, ReactNode][] = [
    ['Model', mono(e.model_name)],
    ['Version', mono(e.model_version)],
    ['Stage · operation', `${e.stage} · ${e.operation}`],
    ['Status', <StatusBadge key="v" status={e.status} />],
    ['Tenant', e.tenant_id],
    ['Document', mono(e.document_id)],
    ['Duration', formatMs(e.duration_ms)],
    ['Input tokens', formatCount(e.input_tokens)],
    ['Output tokens', formatCount(e.output_tokens)],
    // Parts of the totals, priced apart; shown when the call reported them.
    ...(e.cached_input_tokens != null ? [['Cached input tokens', formatCount(e.cached_input_tokens)] as [string, ReactNode]] : []),
    ...(e.cache_write_tokens != null ? [['Cache-write tokens', formatCount(e.cache_write_tokens)] as [string, ReactNode]] : []),
    ...(e.reasoning_tokens != null ? [['Reasoning tokens', formatCount(e.reasoning_tokens)] as [string, ReactNode]] : []),
    ['Cost', formatCost(e.cost_usd)],
    ['Happened', formatDateTime(e.timestamp)],
    ['Received by server', formatDateTime(e.received_at)],
    ['SDK → server delay', skewMs === null ? '—' : formatMs(skewMs)],
    ['Invocation', mono(e.invocation_id)],
    ['Event id', mono(e.id)],
  ];
  return (
    <dl className="facts">
      {facts.map(([k, v]) => (
        <div key={k}>
          <dt>{k}</dt>
          <dd>{v}</dd>
        </div>
      ))}
    </dl>
  );
}
