import type { EventFilter, MetricsRow } from '@frostbyte/contracts';
import { keepPreviousData, queryOptions, useQuery } from '@tanstack/react-query';
import { apiGet } from '../../../lib/api-client.ts';

export interface MetricsSummary {
  window_s: number;
  generated_at: string;
  rows: MetricsRow[];
}

/** `GET /v1/metrics/summary`: one row per stage + model + version. */
export const getMetricsSummary = (filter: EventFilter, windowS: number, signal?: AbortSignal) =>
  apiGet<MetricsSummary>('/v1/metrics/summary', { ...filter, window: windowS }, signal);

export const metricsSummaryQueryOptions = (filter: EventFilter, windowS: number) =>
  queryOptions({
    queryKey: ['metrics', 'summary', filter, windowS],
    queryFn: ({ signal }) => getMetricsSummary(filter, windowS, signal),
    refetchInterval: 2_000,
    // On a failed refresh the last known tiles stay on screen, with the error beside them.
    placeholderData: keepPreviousData,
  });

export const useMetricsSummary = (filter: EventFilter, windowS: number) => useQuery(metricsSummaryQueryOptions(filter, windowS));
