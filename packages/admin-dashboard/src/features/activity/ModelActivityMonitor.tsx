import type { ModelEvent } from '@frostbyte/contracts';
import { useCallback, useMemo } from 'react';
import { ErrorBanner } from '../../components/ErrorBanner.tsx';
import { navigate, useLocation, withScope } from '../../lib/router.tsx';
import { useMetricsSummary } from './api/get-metrics-summary.ts';
import { FeedAnnouncer } from './components/FeedAnnouncer.tsx';
import { FeedToolbar } from './components/FeedToolbar.tsx';
import { FilterBar } from './components/FilterBar.tsx';
import { LiveFeed } from './components/LiveFeed.tsx';
import { MetricsCharts } from './components/MetricsCharts.tsx';
import { StatusTiles, tilesFromRows } from './components/StatusTiles.tsx';
import { StreamNotice } from './components/StreamNotice.tsx';
import { toEventFilter } from './hooks/monitor-filters.ts';
import { useLiveFeed } from './hooks/use-live-feed.ts';
import { useMonitorFilters } from './hooks/use-monitor-filters.ts';
import './activity.css';

/**
 * The landing view: status tiles per model, live charts, and the live feed, all for
 * the filters in the URL. Every piece keeps its last data when a refresh fails and
 * says so beside it.
 */
export function ModelActivityMonitor() {
  const { search } = useLocation();
  const [filters, setFilters] = useMonitorFilters();
  const filter = useMemo(() => toEventFilter(filters), [filters]);
  const { store, snapshot, history, live } = useLiveFeed(filters);
  const summary = useMetricsSummary(filter, filters.window);
  const tiles = useMemo(() => tilesFromRows(summary.data?.rows ?? []), [summary.data]);
  const options = useMemo(() => {
    const rows = summary.data?.rows ?? [];
    return {
      models: [...new Set(rows.map((r) => r.model_name))],
      operations: [...new Set(snapshot.rows.slice(0, 500).map((e) => e.operation))],
      stages: [...new Set(rows.map((r) => r.stage))],
    };
  }, [summary.data, snapshot.rows]);

  const openTrace = useCallback((e: ModelEvent) => navigate(withScope(`/trace/${encodeURIComponent(e.id)}`)), []);
  const { hasNextPage, isFetchingNextPage, fetchNextPage } = history;
  const loadOlder = useCallback(() => {
    if (hasNextPage && !isFetchingNextPage) void fetchNextPage();
  }, [hasNextPage, isFetchingNextPage, fetchNextPage]);

  const selectedTile = filters.model_name && filters.model_version ? `${filters.model_name}@${filters.model_version}` : undefined;

  return (
    <div className="page monitor">
      <h1>Model activity</h1>
      <FilterBar key={search} filters={filters} onApply={setFilters} {...options} />
      <StreamNotice snapshot={snapshot} store={store} onReloadHistory={() => void history.refetch()} />

      <section aria-labelledby="tiles-title">
        <h2 id="tiles-title">Models</h2>
        {summary.isError && (
          <ErrorBanner title="Model status could not be refreshed" error={summary.error} onRetry={() => void summary.refetch()} />
        )}
        <StatusTiles
          tiles={tiles}
          selected={selectedTile}
          onSelect={(t) =>
            selectedTile === t.key
              ? setFilters({ ...filters, model_name: undefined, model_version: undefined })
              : setFilters({ ...filters, model_name: t.model_name, model_version: t.model_version })
          }
        />
      </section>

      <MetricsCharts filter={filter} windowS={filters.window} onWindowChange={(w) => setFilters({ ...filters, window: w })} />

      <section aria-labelledby="feed-title" className="feed-section">
        <FeedToolbar
          snapshot={snapshot}
          store={store}
          live={live}
          loadingOlder={history.isFetchingNextPage}
          hasOlder={!!history.hasNextPage}
          onLoadOlder={loadOlder}
        />
        {history.isError && (
          <ErrorBanner title="Event history could not be loaded" error={history.error} onRetry={() => void history.refetch()} />
        )}
        <LiveFeed snapshot={snapshot} store={store} onOpen={openTrace} onNearEnd={loadOlder} />
        <FeedAnnouncer snapshot={snapshot} />
      </section>
    </div>
  );
}
