import { useInfiniteQuery } from '@tanstack/react-query';
import { apiGet } from '../../../lib/api-client.ts';
import { auditKeys } from './audit-keys.ts';

/** One entry of the hash-chained audit log (`GET /v1/audit`). */
export interface AuditEntry {
  tenant_id: string;
  seq: number;
  ts: string;
  actor: string;
  action: string;
  target: string;
  details: Record<string, unknown>;
  batch_root?: string | null;
  prev_hash: string;
  hash: string;
  /** Covered by the tenant's newest signed checkpoint (later entries are chained, not signed yet). */
  checkpointed?: boolean;
}

export interface AuditPage {
  entries: AuditEntry[];
  next_cursor: string | null;
}

/** The log's filters, under the API's parameter names. */
export interface AuditQuery {
  tenant_id?: string;
  actor?: string;
  action?: string;
  from?: string;
  to?: string;
}

export const PAGE_SIZE = 50;

/** `GET /v1/audit`, newest first; `cursor` = the previous page's `next_cursor`. */
export const getAuditPage = (q: AuditQuery, cursor: string | null, signal?: AbortSignal) =>
  apiGet<AuditPage>('/v1/audit', { ...q, cursor, limit: PAGE_SIZE }, signal);

/** Keyset pages: "Load more" asks for the page after the last one loaded. */
export const useAuditLog = (q: AuditQuery, enabled = true) =>
  useInfiniteQuery({
    queryKey: auditKeys.log(q),
    queryFn: ({ pageParam, signal }) => getAuditPage(q, pageParam, signal),
    initialPageParam: null as string | null,
    getNextPageParam: (last) => last.next_cursor,
    enabled,
  });
