-- Records the writer could not store (ingest/writer.ts): a batch that fails for a data
-- reason is split until the record that fails alone is found, and that record lands
-- here instead of being acked and forgotten, so the records behind it keep flowing.
--
-- `record` is the bus record as JSON text, exactly what the bus held (already redacted
-- and sealed by ingest), made safe for PostgreSQL: NUL and lone surrogates escaped,
-- non-finite numbers as strings. It is text, not jsonb, so nothing in it can make
-- this insert fail for the reason the record failed.
--
-- A replay of the same bus entry (a restart before the ack) meets its own row:
-- `record_key` (seq and event id: the memory bus may reuse a position after a restart,
-- never with the same event id) counts the attempt instead of adding a row.
CREATE TABLE writer_quarantine (
  id         uuid        PRIMARY KEY,
  record_key text        NOT NULL UNIQUE,
  tenant_id  text,       -- NULL: the record names no valid tenant (only '*' sees it)
  event_id   text,
  seq        text        NOT NULL,
  sqlstate   text,       -- NULL: thrown by our own code (hashing, encoding), not by PostgreSQL
  error      text        NOT NULL,
  record     text        NOT NULL,
  attempts   integer     NOT NULL DEFAULT 1,
  -- Milliseconds: the list's keyset cursor carries first_seen as JSON writes it.
  first_seen timestamptz NOT NULL DEFAULT date_trunc('milliseconds', clock_timestamp()),
  last_seen  timestamptz NOT NULL DEFAULT date_trunc('milliseconds', clock_timestamp())
);
CREATE INDEX writer_quarantine_tenant_seen ON writer_quarantine (tenant_id, first_seen DESC, id);
CREATE INDEX writer_quarantine_seen ON writer_quarantine (first_seen DESC, id);

-- Row-level security as on every tenant table (0016's form): a tenant scope sees its
-- tenants' rows; a row without a tenant only '*'.
GRANT SELECT, INSERT, UPDATE ON writer_quarantine TO fmo_app;
ALTER TABLE writer_quarantine ENABLE ROW LEVEL SECURITY;
ALTER TABLE writer_quarantine FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON writer_quarantine
  USING (CASE WHEN (SELECT current_setting('fmo.tenants', true)) = '*' THEN true
              ELSE tenant_id = ANY ((SELECT string_to_array(current_setting('fmo.tenants', true), ','))::text[]) END)
  WITH CHECK (CASE WHEN (SELECT current_setting('fmo.tenants', true)) = '*' THEN true
              ELSE tenant_id = ANY ((SELECT string_to_array(current_setting('fmo.tenants', true), ','))::text[]) END);
