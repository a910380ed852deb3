-- Alerts are per tenant (tenant_id set) or about the whole pipeline (NULL). Row-level
-- security as on every tenant table (0006, in 0016's form): a tenant scope sees its
-- tenants' rows; a pipeline-wide alert (its figures include every tenant's calls and
-- costs) only '*'. NULL = ANY (…) is NULL, so the CASE hides those rows from a tenant
-- scope without a special case. The server's queries name the scope too (for reading
-- the right rows); this is the second wall.
GRANT SELECT, INSERT, UPDATE ON alerts TO fmo_app;
GRANT USAGE, SELECT ON SEQUENCE alerts_change_seq TO fmo_app;
ALTER TABLE alerts ENABLE ROW LEVEL SECURITY;
ALTER TABLE alerts FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON alerts
  USING (CASE WHEN (SELECT current_setting('fmo.tenants', true)) = '*' THEN true
              ELSE tenant_id = ANY ((SELECT string_to_array(current_setting('fmo.tenants', true), ','))::text[]) END)
  WITH CHECK (CASE WHEN (SELECT current_setting('fmo.tenants', true)) = '*' THEN true
              ELSE tenant_id = ANY ((SELECT string_to_array(current_setting('fmo.tenants', true), ','))::text[]) END);
