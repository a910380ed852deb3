import type { Experiment } from '@frostbyte/contracts';
import { queryOptions, useQuery } from '@tanstack/react-query';
import { apiGet } from '../../../lib/api-client.ts';
import { registryKeys } from './registry-keys.ts';

/** `GET /v1/experiments?model_name=`: newest first. */
export const getExperiments = (modelName: string, signal?: AbortSignal) =>
  apiGet<{ experiments: Experiment[] }>('/v1/experiments', { model_name: modelName }, signal);

export const experimentsQueryOptions = (modelName: string) =>
  queryOptions({
    queryKey: [...registryKeys.experiments(), modelName],
    queryFn: ({ signal }) => getExperiments(modelName, signal),
    enabled: !!modelName,
    refetchInterval: 10_000,
  });

export const useExperiments = (modelName: string) => useQuery(experimentsQueryOptions(modelName));
