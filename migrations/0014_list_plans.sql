-- Plans for the history list (GET /v1/events: ORDER BY seq DESC LIMIT n over ~38 day
-- partitions), found with EXPLAIN on 10 M seeded events (bench/history.ts).
--
-- 1. The tenant policy, same rule, written so the planner can estimate it. Every query
-- runs under it (SET LOCAL ROLE fmo_app). The planner cannot see the value of
-- current_setting(): it priced `current_setting(..) = '*' OR tenant_id = ANY (..)` at
-- about 0.5 % of the rows, so a filtered list looked like a few dozen rows and was
-- planned as "read every matching row of every partition, then sort" instead of a
-- Merge Append of the per-partition (…, seq DESC) indexes that stops after n rows
-- (tenant + stage + status=failed: 1.9 s median instead of ~1 ms). A CASE is priced
-- at 50 %: the same rows pass (an unset setting is still NULL, so no rows: it fails
-- closed), and the estimates are off by 2× at most instead of 200×.
DO $$
DECLARE
  t text;
BEGIN
  -- Every tenant table has exactly this policy (0006; later tables copy it: copy this form).
  FOR t IN SELECT tablename FROM pg_policies WHERE schemaname = current_schema() AND policyname = 'tenant_isolation' LOOP
    EXECUTE format($p$ALTER POLICY tenant_isolation ON %I
      USING (CASE WHEN current_setting('fmo.tenants', true) = '*' THEN true
                  ELSE tenant_id = ANY (string_to_array(current_setting('fmo.tenants', true), ',')) END)
      WITH CHECK (CASE WHEN current_setting('fmo.tenants', true) = '*' THEN true
                  ELSE tenant_id = ANY (string_to_array(current_setting('fmo.tenants', true), ',')) END)$p$, t);
  END LOOP;
END $$;

-- 2. Failures, newest first ("what broke"): 2–4 % of the events, so the (tenant_id,
-- stage, seq DESC) index read ~50 rows per row shown. This one holds only those rows;
-- other filters (stage, model) are checked on them.
CREATE INDEX model_events_tenant_failures ON model_events (tenant_id, seq DESC) WHERE status IN ('failed', 'abandoned');
