import type { ExperimentResults } from '@frostbyte/contracts';
import { keepPreviousData, queryOptions, useQuery } from '@tanstack/react-query';
import { apiGet } from '../../../lib/api-client.ts';
import { registryKeys } from './registry-keys.ts';

/** `GET /v1/experiments/{id}/results`: per-variant figures, agreement, significance. */
export const getExperimentResults = (id: string, signal?: AbortSignal) =>
  apiGet<ExperimentResults>(`/v1/experiments/${encodeURIComponent(id)}/results`, undefined, signal);

export const experimentResultsQueryOptions = (id: string, live: boolean) =>
  queryOptions({
    queryKey: registryKeys.experimentResults(id),
    queryFn: ({ signal }) => getExperimentResults(id, signal),
    enabled: !!id,
    refetchInterval: live ? 5_000 : false,
    placeholderData: keepPreviousData,
  });

export const useExperimentResults = (id: string, live: boolean) => useQuery(experimentResultsQueryOptions(id, live));
