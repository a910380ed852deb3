import type { DecisionTrace, ModelEvent } from '@frostbyte/contracts';
import { queryOptions, useQuery } from '@tanstack/react-query';
import { apiGet } from '../../../lib/api-client.ts';

export interface EventWithTrace {
  event: ModelEvent;
  /** Null when the call recorded no trace; `readable: false` when this role may not
   * see payloads or the tenant's key was destroyed. */
  trace: DecisionTrace | null;
}

/** `GET /v1/events/:id`. */
export const getEvent = (id: string, signal?: AbortSignal): Promise<EventWithTrace> =>
  apiGet<EventWithTrace>(`/v1/events/${encodeURIComponent(id)}`, undefined, signal);

export const eventQueryOptions = (id: string) =>
  queryOptions({ queryKey: ['event', id], queryFn: ({ signal }) => getEvent(id, signal), staleTime: 60_000 });

export const useEvent = (id: string) => useQuery(eventQueryOptions(id));
