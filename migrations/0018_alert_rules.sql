-- The alert thresholds as changed through PATCH /v1/alerts/rules: one row, holding only
-- the fields someone changed (absent row = the defaults in code), so a better default
-- in a later release still reaches every field nobody set. Not tenant data: one set of
-- rules judges every tenant's traffic and the whole pipeline's.
CREATE TABLE alert_rules (
  id         boolean     PRIMARY KEY DEFAULT true CHECK (id),
  overrides  jsonb       NOT NULL,
  updated_at timestamptz NOT NULL DEFAULT clock_timestamp(),
  updated_by text        NOT NULL
);
GRANT SELECT, INSERT, UPDATE, DELETE ON alert_rules TO fmo_app;
