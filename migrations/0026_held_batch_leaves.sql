-- A legal hold keeps a document's events past the trace window, and with them what
-- proves them: the `events.batch` entries (retention stops the tenant's audit prune
-- before the oldest one) and the batch's leaf order. The other events of such a batch
-- are dropped on schedule, so before they go retention stores the leaf hashes of the
-- whole batch here; an inclusion proof then takes the siblings from this column and
-- recomputes only the held event's own leaf from its row, so a tampered held event
-- still fails and a forged sibling would need a SHA-256 second preimage.
ALTER TABLE audit_batches ADD COLUMN leaf_hashes text[];
