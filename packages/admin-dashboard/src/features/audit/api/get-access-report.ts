import type { AccessReport } from '@frostbyte/contracts';
import { useQuery } from '@tanstack/react-query';
import { apiGet } from '../../../lib/api-client.ts';
import { auditKeys } from './audit-keys.ts';

/** Who read what, how often, for what purpose (`GET /v1/audit/access`). */
export type { AccessReport, AccessRow } from '@frostbyte/contracts';

export interface AccessQuery {
  tenant_id?: string;
  from?: string;
  to?: string;
}

/** The server defaults to the last 30 days and flushes pending reads first. */
export const getAccessReport = (q: AccessQuery, signal?: AbortSignal) => apiGet<AccessReport>('/v1/audit/access', { ...q }, signal);

export const useAccessReport = (q: AccessQuery, enabled = true) =>
  useQuery({ queryKey: auditKeys.access(q), queryFn: ({ signal }) => getAccessReport(q, signal), enabled });
