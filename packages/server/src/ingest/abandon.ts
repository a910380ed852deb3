import type { Bus } from '../bus/bus.ts';
import { stableUuid } from '../kernel/stable-id.ts';
import { STALE_HORIZON_MS, type Storage } from '../storage/storage.ts';
import type { EventRecord } from '../kernel/event-record.ts';

/** How long a tombstone (an end stored before its start) waits for its start. Writer
 * loops commit batches seconds apart at most; tombstones are rare, so keeping them a
 * few minutes costs nothing. A start later than this is caught by the sweep's check. */
const TOMBSTONE_KEEP_MS = 5 * 60_000;

/**
 * AbandonedInvocationProcessor: a `started` whose end never came (the process running
 * the model died) is closed by the server with an `abandoned` event after a timeout,
 * through the bus like any event, so the monitor stops showing it as in flight.
 */
export async function sweepAbandoned(storage: Storage, bus: Bus, abandonAfterMs: number, now = Date.now()): Promise<number> {
  // The in-flight set's housekeeping rides on the sweep: one indexed delete each.
  await storage.pruneInvocations(new Date(now - TOMBSTONE_KEEP_MS), new Date(now - abandonAfterMs - STALE_HORIZON_MS));
  const stale = await storage.staleInvocations(new Date(now - abandonAfterMs), 1000);
  if (!stale.length) return 0;
  const records: EventRecord[] = stale.map((s) => ({
    event: {
      ...s,
      // Same invocation → same id, so two processes sweeping at once write one row.
      id: stableUuid('abandoned', s.invocation_id),
      // Deterministic time as well: it is part of the primary key.
      timestamp: new Date(Date.parse(s.timestamp) + abandonAfterMs).toISOString(),
      emitted_at: null,
      received_at: new Date(now).toISOString(),
      status: 'abandoned',
      duration_ms: null,
      cost_usd: null,
      has_trace: false,
      error: { type: 'Abandoned', message: `no completed or failed event within ${Math.round(abandonAfterMs / 1000)} s of the start` },
    },
    trace: null,
  }));
  await bus.append(records);
  return records.length;
}
