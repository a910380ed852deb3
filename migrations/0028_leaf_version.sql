-- Which leaf format a batch's Merkle root was computed with (audit-log.ts eventLeafText):
-- 1 before this migration; 2 adds the token parts (cached input, cache write,
-- reasoning) and cost_usd, so editing a stored event's usage or cost by hand fails
-- `audit verify` and its inclusion proof too.
ALTER TABLE audit_batches ADD COLUMN leaf_version smallint NOT NULL DEFAULT 1;
