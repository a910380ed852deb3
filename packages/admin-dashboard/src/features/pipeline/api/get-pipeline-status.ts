import type { PipelineStatus } from '@frostbyte/contracts';
import { keepPreviousData, queryOptions, useQuery } from '@tanstack/react-query';
import { apiGet } from '../../../lib/api-client.ts';

export const pipelineKeys = { status: (tenant: string | undefined) => ['pipeline', 'status', tenant ?? '*'] as const };

/** `GET /v1/pipeline`: per stage its models, live status, in flight, throughput, p95 against its baseline; edges; the bottleneck; active alerts. */
export const getPipelineStatus = (tenant: string | undefined, signal?: AbortSignal) =>
  apiGet<PipelineStatus>('/v1/pipeline', { tenant_id: tenant }, signal);

export const pipelineStatusQueryOptions = (tenant: string | undefined) =>
  queryOptions({
    queryKey: pipelineKeys.status(tenant),
    queryFn: ({ signal }) => getPipelineStatus(tenant, signal),
    // About every 2 s; a failed refresh keeps the last picture on screen.
    refetchInterval: 2_000,
    placeholderData: keepPreviousData,
  });

export const usePipelineStatus = (tenant: string | undefined) => useQuery(pipelineStatusQueryOptions(tenant));
