import type { ModelVersion } from '@frostbyte/contracts';
import { queryOptions, useQuery } from '@tanstack/react-query';
import { apiGet } from '../../../lib/api-client.ts';
import { registryKeys } from './registry-keys.ts';

/** `GET /v1/models/{name}/versions`: oldest first, with configuration, prices and `active_for`. */
export const getModelVersions = (name: string, signal?: AbortSignal) =>
  apiGet<{ versions: ModelVersion[] }>(`/v1/models/${encodeURIComponent(name)}/versions`, undefined, signal);

export const modelVersionsQueryOptions = (name: string) =>
  queryOptions({
    queryKey: registryKeys.versions(name),
    queryFn: ({ signal }) => getModelVersions(name, signal),
    enabled: !!name,
    refetchInterval: 10_000,
  });

export const useModelVersions = (name: string) => useQuery(modelVersionsQueryOptions(name));
