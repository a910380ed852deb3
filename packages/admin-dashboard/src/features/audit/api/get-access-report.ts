import { useQuery } from '@tanstack/react-query';
import { apiGet } from '../../../lib/api-client.ts';
import { auditKeys } from './audit-keys.ts';

/** Who read what, how often, for what purpose (`GET /v1/audit/access`). */
export interface AccessRow {
  actor: string;
  tenant_id: string;
  event_id: string | null;
  document_id: string | null;
  purpose: string | null;
  reads: number;
  first_at: string;
  last_at: string;
}
export interface AccessReport {
  rows: AccessRow[];
  by_day: { day: string; actor: string; reads: number }[];
}

export interface AccessQuery {
  tenant_id?: string;
  from?: string;
  to?: string;
}

/** The server defaults to the last 30 days and flushes pending reads first. */
export const getAccessReport = (q: AccessQuery, signal?: AbortSignal) => apiGet<AccessReport>('/v1/audit/access', { ...q }, signal);

export const useAccessReport = (q: AccessQuery, enabled = true) =>
  useQuery({ queryKey: auditKeys.access(q), queryFn: ({ signal }) => getAccessReport(q, signal), enabled });
