import type { FeedSnapshot, FeedStore } from '../hooks/feed-store.ts';

interface Props {
  snapshot: FeedSnapshot;
  store: FeedStore;
  live: boolean;
  loadingOlder: boolean;
  hasOlder: boolean;
  onLoadOlder: () => void;
}

/** Pause/resume and the counts that say what the feed is showing. */
export function FeedToolbar({ snapshot, store, live, loadingOlder, hasOlder, onLoadOlder }: Props) {
  return (
    <div className="feed-toolbar">
      <h2 id="feed-title">Live feed</h2>
      <span className="muted">
        {snapshot.rows.length.toLocaleString()} events
        {!live && ' · past range, live updates off'}
        {snapshot.paused && snapshot.held > 0 && ` · ${snapshot.held.toLocaleString()} new while paused`}
      </span>
      <span className="spacer" />
      {hasOlder && (
        <button type="button" onClick={onLoadOlder} disabled={loadingOlder}>
          {loadingOlder ? 'Loading older…' : 'Load older'}
        </button>
      )}
      {live && (
        <button type="button" aria-pressed={snapshot.paused} onClick={() => (snapshot.paused ? store.resume() : store.pause())}>
          {snapshot.paused ? '▶ Resume' : '❚❚ Pause'}
        </button>
      )}
    </div>
  );
}
