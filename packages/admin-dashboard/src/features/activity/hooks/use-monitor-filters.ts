import { useCallback, useMemo } from 'react';
import { navigate, useLocation } from '../../../lib/router.tsx';
import { filtersToSearch, type MonitorFilters, parseFilters } from './monitor-filters.ts';

/** The filters live in the URL only: Back/Forward and shared links restore a view. */
export function useMonitorFilters(): [MonitorFilters, (next: MonitorFilters) => void] {
  const { pathname, search } = useLocation();
  const filters = useMemo(() => parseFilters(search), [search]);
  const setFilters = useCallback(
    (next: MonitorFilters) => {
      const nextSearch = filtersToSearch(next, window.location.search);
      if (nextSearch !== window.location.search) navigate(pathname + nextSearch);
    },
    [pathname],
  );
  return [filters, setFilters];
}
