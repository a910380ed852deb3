import { queryOptions, useQuery } from '@tanstack/react-query';
import { ApiError, apiGet } from '../../../lib/api-client.ts';

export interface AuditProof {
  verified: boolean;
  entry: { seq: number | string; hash: string; [k: string]: unknown };
  proof: unknown[];
}

/** `GET /v1/audit/proof/:event_id`. `null` when the audit trail does not exist yet
 * on this server (404): the view says "pending" instead of failing. */
export async function getAuditProof(eventId: string, signal?: AbortSignal): Promise<AuditProof | null> {
  try {
    return await apiGet<AuditProof>(`/v1/audit/proof/${encodeURIComponent(eventId)}`, undefined, signal);
  } catch (err) {
    if (err instanceof ApiError && err.status === 404) return null;
    throw err;
  }
}

export const auditProofQueryOptions = (eventId: string) =>
  queryOptions({
    queryKey: ['audit-proof', eventId],
    queryFn: ({ signal }) => getAuditProof(eventId, signal),
    staleTime: 30_000,
    retry: 1,
  });

export const useAuditProof = (eventId: string) => useQuery(auditProofQueryOptions(eventId));
