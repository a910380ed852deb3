import type { EventListQuery, ModelEvent } from '@frostbyte/contracts';
import { infiniteQueryOptions, useInfiniteQuery } from '@tanstack/react-query';
import { apiGet } from '../../../lib/api-client.ts';

export interface EventPage {
  events: ModelEvent[];
  next_cursor: string | null;
}

export type EventHistoryQuery = Omit<EventListQuery, 'cursor' | 'limit'>;

/** `GET /v1/events`: newest first, keyset-paged by `next_cursor`. */
export const getEvents = (query: EventListQuery, signal?: AbortSignal): Promise<EventPage> =>
  apiGet<EventPage>('/v1/events', { ...query }, signal);

export const HISTORY_PAGE_SIZE = 200;

export const eventsHistoryQueryOptions = (query: EventHistoryQuery) =>
  infiniteQueryOptions({
    queryKey: ['events', 'history', query],
    queryFn: ({ pageParam, signal }) =>
      getEvents({ ...query, limit: HISTORY_PAGE_SIZE, ...(pageParam ? { cursor: pageParam } : {}) }, signal),
    initialPageParam: null as string | null,
    getNextPageParam: (last) => last.next_cursor,
    // The live stream keeps the feed current; history is fetched once per filter.
    staleTime: Number.POSITIVE_INFINITY,
    refetchOnWindowFocus: false,
  });

export const useEventsHistory = (query: EventHistoryQuery) => useInfiniteQuery(eventsHistoryQueryOptions(query));
