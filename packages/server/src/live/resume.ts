import type { EventFilter, ModelEvent } from '@frostbyte/contracts';
import type { Bus } from '../bus/bus.ts';
import { parseSeq, seqToString } from '../kernel/seq.ts';
import type { Storage } from '../storage/storage.ts';
import type { TenantScope } from '../kernel/tenant-scope.ts';
import { eventMatcher } from './match.ts';

export type ResumeChunk = { events: ModelEvent[] } | { gap: { last_event_id: string; resumed_from: string | null; reason: string } };

const PAGE = 500;

/**
 * Everything after a client's last seen position, oldest first: from the database for
 * what the bus no longer holds, then from the bus. When even the database no longer
 * holds the position (retention pruned it), one explicit `gap` comes first.
 *
 * Invariant: every record older than the bus's oldest entry has been written to the
 * database (the memory ring drops only acked records; the Redis stream is trimmed far
 * behind the writer), so the two phases meet without a hole.
 */
export async function* resumeAfter(
  deps: { bus: Bus; storage: Storage },
  scope: TenantScope,
  filter: EventFilter,
  after: string,
): AsyncGenerator<ResumeChunk> {
  const match = eventMatcher(scope, filter);
  let cursor = parseSeq(after) as bigint;
  const oldest = await deps.bus.oldestSeq();
  const busFrom = oldest === null ? null : (parseSeq(oldest) as bigint);

  if (busFrom === null || cursor < busFrom - 1n) {
    // 0-0 is the origin (the `ready` position of a stream that had no event yet):
    // everything after it is wanted, and nothing before it can have been pruned.
    if (cursor > 0n && !(await deps.storage.holdsSeq(cursor))) {
      // The gap names the next position the viewer may see (its scope and filter), never
      // the next in the global stream, which may be another tenant's (issue 12).
      const next = await deps.storage.eventsAfter(scope, filter, cursor, 1);
      if (next[0]) {
        yield { gap: { last_event_id: after, resumed_from: next[0].seq, reason: 'events after this id were pruned by retention' } };
      }
    }
    for (;;) {
      const rows = await deps.storage.eventsAfter(scope, filter, cursor, PAGE);
      const inRange = busFrom === null ? rows : rows.filter((e) => (parseSeq(e.seq) as bigint) < busFrom);
      if (inRange.length) yield { events: inRange };
      const last = rows[rows.length - 1];
      if (!last || rows.length < PAGE || inRange.length < rows.length) break;
      cursor = parseSeq(last.seq) as bigint;
    }
    if (busFrom === null) return;
    cursor = busFrom - 1n;
  }

  for (;;) {
    const held = await deps.bus.range(seqToString(cursor), PAGE * 2);
    const last = held[held.length - 1];
    if (!last) return;
    const events = held.filter(match);
    if (events.length) yield { events };
    cursor = parseSeq(last.seq) as bigint;
  }
}
