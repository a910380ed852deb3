-- Issue 13 leftover: the hourly rollups sum the token parts too (cached input reads,
-- cache writes, reasoning), so the cost views can show what the bill is made of without
-- reading the events.
ALTER TABLE cost_metrics
  ADD COLUMN cached_input_tokens bigint NOT NULL DEFAULT 0,
  ADD COLUMN cache_write_tokens bigint NOT NULL DEFAULT 0,
  ADD COLUMN reasoning_tokens bigint NOT NULL DEFAULT 0;

-- Backfill from the events still stored. Retention drops whole days, so an hour's
-- events are either all stored or all gone: where they are, these sums are exact;
-- where they are gone, the parts stay 0 (they were not summed then). Same grouping as
-- the rollup insert in sql-storage.ts. RLS is forced for the owner too: see every tenant.
SELECT set_config('fmo.tenants', '*', true);
UPDATE cost_metrics m
   SET cached_input_tokens = s.cached, cache_write_tokens = s.written, reasoning_tokens = s.reasoning
  FROM (SELECT tenant_id, date_trunc('hour', "timestamp") AS hour, stage, model_name, model_version,
               coalesce(sum(cached_input_tokens), 0) AS cached, coalesce(sum(cache_write_tokens), 0) AS written,
               coalesce(sum(reasoning_tokens), 0) AS reasoning
          FROM model_events WHERE status IN ('completed', 'failed')
         GROUP BY 1, 2, 3, 4, 5) s
 WHERE m.tenant_id = s.tenant_id AND m.hour = s.hour AND m.stage = s.stage
   AND m.model_name = s.model_name AND m.model_version = s.model_version;
