import type { ConfigDiff } from '@frostbyte/contracts';
import { queryOptions, useQuery } from '@tanstack/react-query';
import { apiGet } from '../../../lib/api-client.ts';
import { registryKeys } from './registry-keys.ts';

/** `GET /v1/models/{name}/versions/{a}/diff/{b}`: structured config + price diff and both versions' figures. */
export const getVersionDiff = (name: string, a: string, b: string, signal?: AbortSignal) =>
  apiGet<ConfigDiff>(
    `/v1/models/${encodeURIComponent(name)}/versions/${encodeURIComponent(a)}/diff/${encodeURIComponent(b)}`,
    undefined,
    signal,
  );

export const versionDiffQueryOptions = (name: string, a: string, b: string) =>
  queryOptions({
    queryKey: registryKeys.diff(name, a, b),
    queryFn: ({ signal }) => getVersionDiff(name, a, b, signal),
    enabled: !!name && !!a && !!b && a !== b,
  });

export const useVersionDiff = (name: string, a: string, b: string) => useQuery(versionDiffQueryOptions(name, a, b));
