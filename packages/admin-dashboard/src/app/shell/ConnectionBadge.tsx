import { useConnectionState, useLiveStream } from '../../lib/live-stream.tsx';

const VIEW = {
  idle: { label: 'Live off', glyph: '○' },
  connecting: { label: 'Connecting', glyph: '◌' },
  live: { label: 'Live', glyph: '●' },
  reconnecting: { label: 'Reconnecting', glyph: '◌' },
  offline: { label: 'Offline', glyph: '✕' },
} as const;

/** The live stream's state, always in the header: live / reconnecting / offline. */
export function ConnectionBadge() {
  const state = useConnectionState();
  const client = useLiveStream();
  const v = VIEW[state.status];
  return (
    <span className={`connection connection-${state.status}`} role="status" aria-live="polite">
      <span aria-hidden="true">{v.glyph}</span> {v.label}
      {state.status === 'offline' && (
        <button type="button" className="link-button" onClick={() => client.retry()}>
          Retry
        </button>
      )}
    </span>
  );
}
