-- Issue 13: GenAI content events sent as OTLP logs (POST /v1/logs). A log names its
-- span (trace id + span id) and may arrive before or after the span; it is kept here,
-- redacted and sealed with the tenant's data key like a decision trace, and joined to
-- the span's event when the event is read (ingest/otlp/log-content.ts). Stored events
-- and their audit leaves are never rewritten for it.
CREATE TABLE otlp_log_contents (
  id          uuid        PRIMARY KEY, -- derived from the log: a re-sent export is a no-op
  tenant_id   text        NOT NULL,
  trace_id    text        NOT NULL,
  span_id     text        NOT NULL,
  "time"      timestamptz NOT NULL,
  event_name  text        NOT NULL,
  payload     bytea       NOT NULL,    -- sealed JSON {attributes}: AES-256-GCM, AAD bound to the id
  key_version integer     NOT NULL,
  redactions  jsonb       NOT NULL DEFAULT '{}',
  received_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX otlp_log_contents_span ON otlp_log_contents (tenant_id, trace_id, span_id);
CREATE INDEX otlp_log_contents_time ON otlp_log_contents ("time");

GRANT SELECT, INSERT ON otlp_log_contents TO fmo_app;
ALTER TABLE otlp_log_contents ENABLE ROW LEVEL SECURITY;
ALTER TABLE otlp_log_contents FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON otlp_log_contents
  USING (CASE WHEN (SELECT current_setting('fmo.tenants', true)) = '*' THEN true
              ELSE tenant_id = ANY ((SELECT string_to_array(current_setting('fmo.tenants', true), ','))::text[]) END)
  WITH CHECK (CASE WHEN (SELECT current_setting('fmo.tenants', true)) = '*' THEN true
              ELSE tenant_id = ANY ((SELECT string_to_array(current_setting('fmo.tenants', true), ','))::text[]) END);
