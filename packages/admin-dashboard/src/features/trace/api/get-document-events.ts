import type { ModelEvent } from '@frostbyte/contracts';
import { queryOptions, useQuery } from '@tanstack/react-query';
import { apiGet } from '../../../lib/api-client.ts';

/** `GET /v1/documents/:document_id/events`: the document's journey, oldest first. */
export const getDocumentEvents = (documentId: string, signal?: AbortSignal): Promise<{ events: ModelEvent[] }> =>
  apiGet(`/v1/documents/${encodeURIComponent(documentId)}/events`, undefined, signal);

export const documentEventsQueryKey = (documentId: string) => ['document-events', documentId] as const;

export const documentEventsQueryOptions = (documentId: string) =>
  queryOptions({
    queryKey: documentEventsQueryKey(documentId),
    queryFn: ({ signal }) => getDocumentEvents(documentId, signal),
    staleTime: 10_000,
  });

export const useDocumentEvents = (documentId: string | null | undefined) =>
  useQuery({ ...documentEventsQueryOptions(documentId ?? ''), enabled: !!documentId });
