import type { EventFilter } from '@frostbyte/contracts';
import { keepPreviousData, queryOptions, useQuery } from '@tanstack/react-query';
import { apiGet } from '../../../lib/api-client.ts';

export interface TimeseriesPoint {
  t: string;
  calls: number;
  errors: number;
  p50_ms: number | null;
  p95_ms: number | null;
  p99_ms: number | null;
  input_tokens: number;
  output_tokens: number;
  cost_usd: number;
}

export interface TimeseriesSeries {
  /** `<model_name>@<version>` */
  key: string;
  model_name: string;
  model_version: string;
  points: TimeseriesPoint[];
}

export interface MetricsTimeseries {
  step_s: number;
  series: TimeseriesSeries[];
}

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
