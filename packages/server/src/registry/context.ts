/*
 * What every registry job module (catalogue, deployments, rollback preview, timeline,
 * pipeline config) gets from the RegistryService facade. There is one context per
 * facade, so every job reports a committed change the same way: `changed()` calls
 * the facade's `onChange` (the composition root passes it in the facade's options).
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
