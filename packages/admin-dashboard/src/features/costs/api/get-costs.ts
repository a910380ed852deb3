import type { CostRow } from '@frostbyte/contracts';
import { keepPreviousData, queryOptions, useQuery } from '@tanstack/react-query';
import { apiGet } from '../../../lib/api-client.ts';

export type CostGroup = 'model' | 'tenant' | 'document' | 'stage';

export interface CostReport {
  group_by: CostGroup;
  from: string;
  to: string;
  rows: CostRow[];
  total_cost_usd: number;
}

export interface CostQuery {
  group_by: CostGroup;
  /** Hours back from now. */
  hours: number;
  tenant_id?: string;
}

/** `GET /v1/costs`: calls, tokens with their parts and the server-computed cost, grouped. */
export const getCosts = (q: CostQuery, signal?: AbortSignal) => {
  // `to` an hour ahead, so the current hour's rollup row is in.
  const to = new Date(Date.now() + 3_600_000);
  const from = new Date(Date.now() - q.hours * 3_600_000);
  return apiGet<CostReport>('/v1/costs', { group_by: q.group_by, tenant_id: q.tenant_id, from: from.toISOString(), to: to.toISOString() }, signal);
};

export const useCosts = (q: CostQuery) =>
  useQuery(
    queryOptions({
      queryKey: ['costs', q],
      queryFn: ({ signal }) => getCosts(q, signal),
      refetchInterval: 10_000,
      placeholderData: keepPreviousData,
    }),
  );
