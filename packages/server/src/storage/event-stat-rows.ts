/** The row shapes EventStats returns (storage/event-stats.ts). */

export type CostGroup = 'model' | 'document' | 'tenant' | 'stage';
export type { CostRow } from '@frostbyte/contracts';

export interface StageWindowStats {
  /** The tenant of a per-tenant row (`perTenant`); null for the whole scope. */
  tenant_id: string | null;
  stage: string;
  calls: number;
  errors: number;
  recent_calls: number;
  recent_errors: number;
  p50_ms: number | null;
  p95_ms: number | null;
  mean_ms: number | null;
  cost_usd: number;
  last_seen: string | null;
}

export interface VariantStats {
  calls: number;
  errors: number;
  p50_ms: number | null;
  p95_ms: number | null;
  mean_ms: number | null;
  var_ms: number | null;
  completed: number;
  documents: number;
  cost_usd: number;
  confidence_count: number;
  confidence_mean: number | null;
  buckets: number[];
}
