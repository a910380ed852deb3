import type { TimelineItem } from '@frostbyte/contracts';
import { queryOptions, useQuery } from '@tanstack/react-query';
import { apiGet } from '../../../lib/api-client.ts';
import { registryKeys } from './registry-keys.ts';

/** `GET /v1/models/{name}/timeline`: versions, config changes, deploys, rollbacks and experiments, oldest first. */
export const getModelTimeline = (name: string, signal?: AbortSignal) =>
  apiGet<{ model_name: string; items: TimelineItem[] }>(`/v1/models/${encodeURIComponent(name)}/timeline`, undefined, signal);

export const modelTimelineQueryOptions = (name: string) =>
  queryOptions({
    queryKey: registryKeys.timeline(name),
    queryFn: ({ signal }) => getModelTimeline(name, signal),
    enabled: !!name,
    // Other people deploy too: a slow poll keeps the history current without a stream.
    refetchInterval: 10_000,
  });

export const useModelTimeline = (name: string) => useQuery(modelTimelineQueryOptions(name));
