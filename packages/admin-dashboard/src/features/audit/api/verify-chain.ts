import type { AuditVerifyReport } from '@frostbyte/contracts';
import { useMutation } from '@tanstack/react-query';
import { apiGet } from '../../../lib/api-client.ts';

/** `GET /v1/audit/verify?tenant_id=…&events=true`: the server rehashes every entry of
 * the chain, checks each link and every checkpoint signature, rehashes the stored events
 * against their batch roots, and names the first bad entry or batch. */
export type VerifyResult = AuditVerifyReport;

export const verifyChain = (tenant: string) => apiGet<VerifyResult>('/v1/audit/verify', { tenant_id: tenant, events: true });

export const useVerifyChain = () => useMutation({ mutationFn: verifyChain });
