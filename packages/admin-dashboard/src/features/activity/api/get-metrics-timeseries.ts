import type { EventFilter, MetricsTimeseries } from '@frostbyte/contracts';
import { keepPreviousData, queryOptions, useQuery } from '@tanstack/react-query';
import { apiGet } from '../../../lib/api-client.ts';

export type { MetricsTimeseries, TimeseriesPoint, TimeseriesSeries } from '@frostbyte/contracts';

/** About 60 points per chart whatever the window, never finer than 1 s. */
export const stepFor = (windowS: number): number => Math.max(1, Math.round(windowS / 60));

/** `GET /v1/metrics/timeseries`. */
export const getMetricsTimeseries = (filter: EventFilter, windowS: number, signal?: AbortSignal) =>
  apiGet<MetricsTimeseries>('/v1/metrics/timeseries', { ...filter, window: windowS, step: stepFor(windowS) }, signal);

export const metricsTimeseriesQueryOptions = (filter: EventFilter, windowS: number) =>
  queryOptions({
    queryKey: ['metrics', 'timeseries', filter, windowS],
    queryFn: ({ signal }) => getMetricsTimeseries(filter, windowS, signal),
    refetchInterval: Math.max(2_000, stepFor(windowS) * 1000),
    placeholderData: keepPreviousData,
  });

export const useMetricsTimeseries = (filter: EventFilter, windowS: number) => useQuery(metricsTimeseriesQueryOptions(filter, windowS));
