import type { ModelEvent } from '@frostbyte/contracts';
import { ErrorBanner } from '../../../components/ErrorBanner.tsx';
import { StatusBadge } from '../../../components/StatusBadge.tsx';
import { formatMs, formatTime } from '../../../lib/format.ts';
import { Link } from '../../../lib/router.tsx';
import { useDocumentEvents } from '../api/get-document-events.ts';

/** One entry per invocation: its final event if it has one, else its `started`. */
export function journeySteps(events: readonly ModelEvent[]): ModelEvent[] {
  const byInvocation = new Map<string, ModelEvent>();
  for (const e of events) {
    const prev = byInvocation.get(e.invocation_id);
    if (!prev || prev.status === 'started') byInvocation.set(e.invocation_id, e);
  }
  return [...byInvocation.values()].sort((a, b) => a.timestamp.localeCompare(b.timestamp));
}

/** The document's path through parse → embed → policy, every invocation clickable. */
export function DocumentJourney({ documentId, currentEventId }: { documentId: string; currentEventId: string }) {
  const q = useDocumentEvents(documentId);
  if (q.isPending) return <p className="muted">Loading the document's journey…</p>;
  if (q.isError) return <ErrorBanner title="Document journey" error={q.error} onRetry={() => void q.refetch()} />;
  const steps = journeySteps(q.data.events);
  if (steps.length === 0) return <p className="muted">No other events for this document.</p>;
  return (
    <ol className="journey" aria-label={`Journey of document ${documentId}`}>
      {steps.map((e) => {
        const current = e.id === currentEventId || e.invocation_id === q.data.events.find((x) => x.id === currentEventId)?.invocation_id;
        return (
          <li key={e.invocation_id} className={current ? 'journey-current' : undefined}>
            <Link href={`/trace/${e.id}`} aria-current={current ? 'page' : undefined}>
              <span className="journey-stage">{e.stage}</span>{' '}
              <span className="mono">
                {e.model_name}@{e.model_version}
              </span>
            </Link>{' '}
            <StatusBadge status={e.status} /> <time dateTime={e.timestamp}>{formatTime(e.timestamp)}</time>
            <span className="muted"> · {formatMs(e.duration_ms)}</span>
          </li>
        );
      })}
    </ol>
  );
}
