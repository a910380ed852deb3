/*
 * What every registry job module (catalogue, deployments, rollback preview, timeline,
 * pipeline config) gets from the RegistryService facade. There is one context per
 * facade, so every job reports a committed change the same way: `changed()` calls
 * whatever the facade's `onChange` is when the change is made. The plugin sets
 * `onChange` after constructing the facade, so the context must not keep its own copy.
 */
import type { EventStats } from '../storage/event-stats.ts';
import type { SqlClient } from '../storage/sql-client.ts';
import type { AuditFn } from './audit-hook.ts';

export interface RegistryContext {
  readonly db: SqlClient;
  readonly stats: EventStats;
  readonly audit: AuditFn;
  /** The facade's own options object, read when it is used, never copied. */
  readonly opts: { readonly abandonAfterMs: number };
  /** Runs after every committed change (prices reload, pipeline config revision). */
  changed(): void;
}
