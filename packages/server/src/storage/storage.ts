import type { EventFilter, ModelEvent } from '@frostbyte/contracts';

import type { BusRecord, SealedTrace } from '../kernel/event-record.ts';
import type { TenantScope } from '../kernel/tenant-scope.ts';


export interface EventPageQuery extends EventFilter {
  from?: string;
  to?: string;
  /** Exclusive upper bound on seq (keyset pagination, newest first). */
  beforeSeq?: bigint;
  limit: number;
}

export interface StoredTrace extends SealedTrace {
  event_id: string;
  tenant_id: string;
  timestamp: string;
}


/** How far back the abandon sweep looks for a start without an end. Older ones are
 * given up rather than abandoned by the thousand after a long outage. */
export const STALE_HORIZON_MS = 2 * 86_400_000;

export interface ModelPricing {
  model_name: string;
  version: string;
  pricing: Record<string, number>;
}

/**
 * Persistence of events, traces and the aggregates read from them. One contract,
 * two drivers (PGlite embedded, PostgreSQL server); the shared suite in
 * `test/shared-suites/storage.suite.ts` runs against both.
 */
export interface Storage {
  readonly kind: 'pglite' | 'postgres';
  /** Writes a batch idempotently (event id is the key); returns how many were new. */
  insertRecords(records: readonly BusRecord[]): Promise<{ inserted: number }>;
  listEvents(scope: TenantScope, q: EventPageQuery): Promise<ModelEvent[]>;
  getEvent(scope: TenantScope, id: string): Promise<{ event: ModelEvent; trace: StoredTrace | null } | null>;
  invocationEvents(scope: TenantScope, invocationId: string): Promise<ModelEvent[]>;
  documentEvents(scope: TenantScope, documentId: string, limit: number): Promise<ModelEvent[]>;
  /** Events after a stream position, oldest first (SSE backfill). */
  eventsAfter(scope: TenantScope, filter: EventFilter, afterSeq: bigint, limit: number): Promise<ModelEvent[]>;
  /** Whether anything at or before this position is still stored (else: a gap). */
  holdsSeq(seq: bigint): Promise<boolean>;
  maxSeq(): Promise<bigint | null>;
  /** Started invocations with no end, older than `olderThan` and younger than
   * STALE_HORIZON_MS before it (to mark abandoned). */
  staleInvocations(olderThan: Date, limit: number): Promise<ModelEvent[]>;
  /** Forgets what the in-flight set no longer needs: tombstones (an end stored before
   * its start) older than `endedBefore`, and starts older than `startedBefore`. */
  pruneInvocations(endedBefore: Date, startedBefore: Date): Promise<number>;
  pricing(): Promise<ModelPricing[]>;
  upsertModelVersion(v: { model_name: string; version: string; stage?: string | null; config?: object; pricing?: object; created_by?: string; reason?: string | null }): Promise<void>;
  ensurePartitions(now: Date, daysAhead: number): Promise<number>;
  ping(): Promise<void>;
  close(): Promise<void>;
}
