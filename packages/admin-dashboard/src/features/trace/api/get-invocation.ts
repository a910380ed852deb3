import type { ModelEvent } from '@frostbyte/contracts';
import { queryOptions, useQuery } from '@tanstack/react-query';
import { apiGet } from '../../../lib/api-client.ts';

/** `GET /v1/invocations/:invocation_id`: the call's `started` and its end, oldest first. */
export const getInvocation = (invocationId: string, signal?: AbortSignal): Promise<{ events: ModelEvent[] }> =>
  apiGet(`/v1/invocations/${encodeURIComponent(invocationId)}`, undefined, signal);

export const invocationQueryOptions = (invocationId: string) =>
  queryOptions({
    queryKey: ['invocation', invocationId],
    queryFn: ({ signal }) => getInvocation(invocationId, signal),
    staleTime: 5_000,
  });

export const useInvocation = (invocationId: string | undefined) =>
  useQuery({ ...invocationQueryOptions(invocationId ?? ''), enabled: !!invocationId });
