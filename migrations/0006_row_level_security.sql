-- Tenant isolation in the database (DESIGN §5): every table with a tenant_id gets
-- ENABLE + FORCE ROW LEVEL SECURITY and one policy. The server keeps its own
-- connection role (the owner: migrations, partitions, retention) but runs every
-- tenant-scoped transaction as `fmo_app` (SET LOCAL ROLE), a role without BYPASSRLS,
-- with `fmo.tenants` = 'a,b' or '*' (SET LOCAL). Unset means no rows: it fails closed.

DO $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'fmo_app') THEN
    CREATE ROLE fmo_app NOLOGIN NOBYPASSRLS;
  END IF;
EXCEPTION WHEN duplicate_object OR unique_violation THEN
  NULL; -- another database of this cluster migrated at the same moment
END $$;

-- Roles are cluster-wide: a non-superuser owner must be able to SET ROLE fmo_app.
DO $$
BEGIN
  IF NOT (SELECT rolsuper FROM pg_roles WHERE rolname = current_user) THEN
    EXECUTE format('GRANT fmo_app TO %I', current_user);
  END IF;
EXCEPTION WHEN others THEN
  RAISE WARNING 'could not grant fmo_app to %: %', current_user, SQLERRM;
END $$;

GRANT USAGE ON SCHEMA public TO fmo_app;
GRANT SELECT, INSERT, UPDATE, DELETE ON model_events, decision_traces, cost_metrics, encryption_keys, users, api_keys,
  audit_batches, audit_summaries, model_versions TO fmo_app;
-- Append-only for the application: no UPDATE, DELETE or TRUNCATE, ever.
REVOKE ALL ON audit_log, audit_checkpoints FROM fmo_app;
GRANT SELECT, INSERT ON audit_log, audit_checkpoints TO fmo_app;
-- No ALTER DEFAULT PRIVILEGES: it would also grant the day partitions that
-- fmo_ensure_partitions creates later, and a partition read directly skips the
-- parent's policies. Later migrations grant fmo_app what they need, table by table.

DO $$
DECLARE
  t text;
BEGIN
  FOREACH t IN ARRAY ARRAY['model_events', 'decision_traces', 'cost_metrics', 'encryption_keys', 'api_keys',
                           'audit_log', 'audit_checkpoints', 'audit_batches', 'audit_summaries'] LOOP
    EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
    EXECUTE format('ALTER TABLE %I FORCE ROW LEVEL SECURITY', t);
    EXECUTE format($p$CREATE POLICY tenant_isolation ON %I
      USING (current_setting('fmo.tenants', true) = '*'
             OR tenant_id = ANY (string_to_array(current_setting('fmo.tenants', true), ',')))
      WITH CHECK (current_setting('fmo.tenants', true) = '*'
             OR tenant_id = ANY (string_to_array(current_setting('fmo.tenants', true), ',')))$p$, t);
  END LOOP;
END $$;
