-- When the oldest event of a batch happened, so `audit verify` can tell an event that
-- retention removed (its day is before a retention run's cutoff) from one deleted by
-- hand (a failure). NULL for batches written before this column: their missing events
-- are counted, not judged.
ALTER TABLE audit_batches ADD COLUMN oldest_event_at timestamptz;
