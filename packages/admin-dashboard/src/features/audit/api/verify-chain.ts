import { useMutation } from '@tanstack/react-query';
import { apiGet } from '../../../lib/api-client.ts';

/** `GET /v1/audit/verify?tenant_id=…`: the server rehashes every entry of the chain,
 * checks each link and every checkpoint signature, and names the first bad entry. */
export interface VerifyResult {
  ok: boolean;
  tenants: {
    tenant_id: string;
    ok: boolean;
    entries?: number;
    checkpoints?: number;
    unattested?: number;
    first_bad?: { seq: number; reason: string; detail: string };
  }[];
}

export const verifyChain = (tenant: string) => apiGet<VerifyResult>('/v1/audit/verify', { tenant_id: tenant });

export const useVerifyChain = () => useMutation({ mutationFn: verifyChain });
