import type { Model } from '@frostbyte/contracts';
import { queryOptions, useQuery } from '@tanstack/react-query';
import { apiGet } from '../../../lib/api-client.ts';
import { registryKeys } from './registry-keys.ts';

/** `GET /v1/models`: every registered model with its stage and where it is active. */
export const getModels = (signal?: AbortSignal) => apiGet<{ models: Model[] }>('/v1/models', undefined, signal);

export const modelsQueryOptions = () =>
  queryOptions({ queryKey: registryKeys.models(), queryFn: ({ signal }) => getModels(signal), staleTime: 10_000 });

export const useModels = () => useQuery(modelsQueryOptions());
