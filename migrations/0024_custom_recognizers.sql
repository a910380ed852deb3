-- Users' own redaction rules (issue 14): recognizers (a name, an RE2 pattern, the
-- entity type, context words, a checksum) and allow-list terms that are never
-- redacted. A row belongs to one tenant, or, with tenant_id NULL, to the whole
-- deployment (every tenant's ingest applies it). The pattern is validated and
-- compiled by @frostbyte/redact (compileRules) before it is stored; `spec` is the
-- RecognizerSpec as JSON.
CREATE TABLE redaction_recognizers (
  id         uuid        PRIMARY KEY,
  tenant_id  text,       -- NULL: deployment-wide
  name       text        NOT NULL,
  spec       jsonb       NOT NULL,
  created_at timestamptz NOT NULL DEFAULT clock_timestamp(),
  created_by text        NOT NULL
);
CREATE UNIQUE INDEX redaction_recognizers_name ON redaction_recognizers ((coalesce(tenant_id, '')), name);

CREATE TABLE redaction_allow (
  id         uuid        PRIMARY KEY,
  tenant_id  text,       -- NULL: deployment-wide
  term       text        NOT NULL,
  created_at timestamptz NOT NULL DEFAULT clock_timestamp(),
  created_by text        NOT NULL
);
CREATE UNIQUE INDEX redaction_allow_term ON redaction_allow ((coalesce(tenant_id, '')), lower(term));

-- Row-level security in 0016's form, with one difference: every scope reads the
-- deployment-wide rows (they apply to its tenants), but only '*' may add or remove
-- them. A tenant scope reads, adds and removes its own tenants' rows only.
GRANT SELECT, INSERT, DELETE ON redaction_recognizers TO fmo_app;
GRANT SELECT, INSERT, DELETE ON redaction_allow TO fmo_app;
ALTER TABLE redaction_recognizers ENABLE ROW LEVEL SECURITY;
ALTER TABLE redaction_recognizers FORCE ROW LEVEL SECURITY;
ALTER TABLE redaction_allow ENABLE ROW LEVEL SECURITY;
ALTER TABLE redaction_allow FORCE ROW LEVEL SECURITY;

CREATE POLICY tenant_read ON redaction_recognizers FOR SELECT
  USING (tenant_id IS NULL
         OR (SELECT current_setting('fmo.tenants', true)) = '*'
         OR tenant_id = ANY ((SELECT string_to_array(current_setting('fmo.tenants', true), ','))::text[]));
CREATE POLICY tenant_insert ON redaction_recognizers FOR INSERT
  WITH CHECK (CASE WHEN (SELECT current_setting('fmo.tenants', true)) = '*' THEN true
                   ELSE tenant_id = ANY ((SELECT string_to_array(current_setting('fmo.tenants', true), ','))::text[]) END);
CREATE POLICY tenant_delete ON redaction_recognizers FOR DELETE
  USING (CASE WHEN (SELECT current_setting('fmo.tenants', true)) = '*' THEN true
              ELSE tenant_id = ANY ((SELECT string_to_array(current_setting('fmo.tenants', true), ','))::text[]) END);

CREATE POLICY tenant_read ON redaction_allow FOR SELECT
  USING (tenant_id IS NULL
         OR (SELECT current_setting('fmo.tenants', true)) = '*'
         OR tenant_id = ANY ((SELECT string_to_array(current_setting('fmo.tenants', true), ','))::text[]));
CREATE POLICY tenant_insert ON redaction_allow FOR INSERT
  WITH CHECK (CASE WHEN (SELECT current_setting('fmo.tenants', true)) = '*' THEN true
                   ELSE tenant_id = ANY ((SELECT string_to_array(current_setting('fmo.tenants', true), ','))::text[]) END);
CREATE POLICY tenant_delete ON redaction_allow FOR DELETE
  USING (CASE WHEN (SELECT current_setting('fmo.tenants', true)) = '*' THEN true
              ELSE tenant_id = ANY ((SELECT string_to_array(current_setting('fmo.tenants', true), ','))::text[]) END);
