import { useEffect, useMemo, useState, useSyncExternalStore } from 'react';
import { useLiveStream } from '../../../lib/live-stream.tsx';
import { useEventsHistory } from '../api/get-events.ts';
import { FeedStore } from './feed-store.ts';
import { isLive, type MonitorFilters, toEventFilter, toHistoryQuery } from './monitor-filters.ts';

/**
 * The monitor's feed for the current filters: the live stream (opened first, so
 * nothing falls between it and history) merged with `GET /v1/events` pages. A filter
 * change starts a new feed; the stream re-opens resuming after the last event seen.
 */
export function useLiveFeed(filters: MonitorFilters) {
  const client = useLiveStream();
  const [store] = useState(() => new FeedStore());
  const live = isLive(filters);
  const streamQuery = useMemo(() => toEventFilter(filters), [filters]);
  const historyQuery = useMemo(() => toHistoryQuery(filters), [filters]);
  const key = JSON.stringify(historyQuery);

  useEffect(() => client.subscribe((batch) => store.receiveLive(batch.events, batch.gaps)), [client, store]);

  // biome-ignore lint/correctness/useExhaustiveDependencies: `key` stands for the filter values
  useEffect(() => {
    store.reset();
    if (live) client.open(streamQuery);
    else client.close();
  }, [key, live]);

  const history = useEventsHistory(historyQuery);
  useEffect(() => {
    if (!history.data) return;
    for (const page of history.data.pages) {
      client.markSeen(page.events);
      store.receiveHistory(page.events);
    }
  }, [history.data, client, store]);

  const snapshot = useSyncExternalStore(store.subscribe, store.getSnapshot);
  return { store, snapshot, history, live };
}
