import { useConnectionState, useLiveStream } from '../../../lib/live-stream.tsx';
import { useNow } from '../../../lib/use-now.ts';
import type { FeedSnapshot, FeedStore } from '../hooks/feed-store.ts';

/**
 * Says when the live stream is down (with the server's reason and a retry) and when
 * the server reported a gap it could not fill. The feed below keeps its rows.
 */
export function StreamNotice({
  snapshot,
  store,
  onReloadHistory,
}: {
  snapshot: FeedSnapshot;
  store: FeedStore;
  onReloadHistory: () => void;
}) {
  const client = useLiveStream();
  const state = useConnectionState();
  const now = useNow(1000);
  const retryIn = state.retryAt ? Math.max(0, Math.ceil((state.retryAt - now) / 1000)) : null;

  return (
    <>
      {state.status === 'offline' && (
        <div className="banner banner-error" role="alert">
          <span>
            <strong>Live stream offline:</strong> {state.error?.message ?? 'connection lost'}
            {state.error?.status ? ` (HTTP ${state.error.status})` : ''}. {retryIn !== null ? `Retrying in ${retryIn} s. ` : ''}Showing the
            last known events.
          </span>
          <button type="button" onClick={() => client.retry()}>
            Retry now
          </button>
        </div>
      )}
      {snapshot.gaps.length > 0 && (
        <div className="banner banner-warning" role="alert">
          <span>
            <strong>Some live events could not be replayed</strong> ({snapshot.gaps[snapshot.gaps.length - 1]?.reason}). They are in the
            history.
          </span>
          <button
            type="button"
            onClick={() => {
              store.dismissGaps();
              onReloadHistory();
            }}
          >
            Reload from history
          </button>
        </div>
      )}
    </>
  );
}
