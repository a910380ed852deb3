import { ErrorBanner } from '../../../components/ErrorBanner.tsx';
import { StatusBadge } from '../../../components/StatusBadge.tsx';
import { formatMs, formatTime } from '../../../lib/format.ts';
import { Link } from '../../../lib/router.tsx';
import { useInvocation } from '../api/get-invocation.ts';

/** The call's lifecycle: `started` → `completed` / `failed` (or still running). */
export function InvocationTimeline({ invocationId, currentEventId }: { invocationId: string; currentEventId: string }) {
  const q = useInvocation(invocationId);
  if (q.isPending) return <p className="muted">Loading the invocation…</p>;
  if (q.isError) return <ErrorBanner title="Invocation timeline" error={q.error} onRetry={() => void q.refetch()} />;
  const events = [...q.data.events].sort((a, b) => a.timestamp.localeCompare(b.timestamp));
  const ended = events.some((e) => e.status !== 'started');
  return (
    <ol className="timeline" aria-label="Invocation timeline">
      {events.map((e) => (
        <li key={e.id} aria-current={e.id === currentEventId ? 'step' : undefined}>
          <StatusBadge status={e.status} /> <time dateTime={e.timestamp}>{formatTime(e.timestamp)}</time>
          {e.duration_ms !== null && <span className="muted"> · {formatMs(e.duration_ms)}</span>}
          {e.id !== currentEventId && (
            <>
              {' '}
              <Link href={`/trace/${e.id}`}>open</Link>
            </>
          )}
          {e.error && (
            <span className="error-text">
              {' '}
              {e.error.type}: {e.error.message}
            </span>
          )}
        </li>
      ))}
      {!ended && <li className="muted">still running…</li>}
    </ol>
  );
}
