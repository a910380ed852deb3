import { useState } from 'react';
import { StatusBadge } from '../../../components/StatusBadge.tsx';
import { formatMs, formatTime } from '../../../lib/format.ts';
import { Link } from '../../../lib/router.tsx';
import { useFollowDocument } from '../hooks/use-follow-document.ts';

const LABEL: Record<string, string> = {
  off: 'not following',
  connecting: 'connecting…',
  following: 'following live',
  reconnecting: 'reconnecting…',
  error: 'stopped',
};

/** "Follow this document": a WebSocket tracer session listing its next invocations live. */
export function FollowDocument({ documentId }: { documentId: string }) {
  const [on, setOn] = useState(false);
  const { status, events, error } = useFollowDocument(documentId, on);
  return (
    <div className="follow">
      <button type="button" aria-pressed={on} onClick={() => setOn(!on)}>
        {on ? 'Stop following' : 'Follow this document'}
      </button>{' '}
      <span role="status" className="muted">
        {LABEL[status]}
        {error ? `: ${error}` : ''}
      </span>
      {on && (
        <ol className="follow-events" aria-label="New events for this document" aria-live="polite">
          {events.length === 0 && <li className="muted">Waiting for the next invocation…</li>}
          {events.map((e) => (
            <li key={e.id}>
              <Link href={`/trace/${e.id}`}>
                {e.stage} · {e.model_name}@{e.model_version}
              </Link>{' '}
              <StatusBadge status={e.status} /> <time dateTime={e.timestamp}>{formatTime(e.timestamp)}</time>{' '}
              <span className="muted">{formatMs(e.duration_ms)}</span>
            </li>
          ))}
        </ol>
      )}
    </div>
  );
}
