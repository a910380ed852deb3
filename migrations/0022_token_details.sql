-- Issue 13: the parts of a call's tokens that providers price apart, as columns of
-- their own (they were metadata.cached_input_tokens, or not kept at all). Parts, not
-- additions (contracts event.ts TOKEN_DETAILS): input_tokens includes the cached reads
-- and the cache writes, output_tokens the reasoning tokens. NULL: not reported.
-- ADD COLUMN on the partitioned parent reaches every day partition; with no default
-- it is a catalogue change, not a rewrite of the stored rows.
ALTER TABLE model_events
  ADD COLUMN cached_input_tokens integer,
  ADD COLUMN cache_write_tokens integer,
  ADD COLUMN reasoning_tokens integer;

-- Rows stored before this migration kept the cached count in metadata; the pricing of
-- those rows already used it, so copying it gives the same cost read back.
UPDATE model_events
   SET cached_input_tokens = (metadata ->> 'cached_input_tokens')::integer
 WHERE metadata ? 'cached_input_tokens'
   AND jsonb_typeof(metadata -> 'cached_input_tokens') = 'number'
   AND (metadata ->> 'cached_input_tokens') ~ '^[0-9]{1,9}$';
