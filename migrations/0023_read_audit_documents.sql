-- Issue 15: per-document controls (legal hold, erasure) and the read-audit report.
--
-- One row per (tenant, document) that was ever held or erased. A document without a
-- row is neither. `held_at` NULL: not held (a release clears it). `erased_at` set:
-- the document's trace payloads were destroyed (documents/document-service.ts) and are
-- never served again, even for events that arrive later; the events keep their
-- metadata, so the audit chain and the batch proofs still verify.
CREATE TABLE document_controls (
  tenant_id      text        NOT NULL,
  document_id    text        NOT NULL,
  held_at        timestamptz,
  held_by        text,
  hold_reason    text,
  erased_at      timestamptz,
  erased_by      text,
  erased_events  integer,
  updated_at     timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, document_id)
);
-- Retention asks "which documents are held" on every run.
CREATE INDEX document_controls_held ON document_controls (tenant_id, document_id) WHERE held_at IS NOT NULL;

GRANT SELECT, INSERT, UPDATE ON document_controls TO fmo_app;
ALTER TABLE document_controls ENABLE ROW LEVEL SECURITY;
ALTER TABLE document_controls FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON document_controls
  USING (CASE WHEN (SELECT current_setting('fmo.tenants', true)) = '*' THEN true
              ELSE tenant_id = ANY ((SELECT string_to_array(current_setting('fmo.tenants', true), ','))::text[]) END)
  WITH CHECK (CASE WHEN (SELECT current_setting('fmo.tenants', true)) = '*' THEN true
              ELSE tenant_id = ANY ((SELECT string_to_array(current_setting('fmo.tenants', true), ','))::text[]) END);

-- The access report (GET /v1/audit/access) reads a tenant's trace.read entries in a
-- time window: (tenant, action, ts) instead of walking the action index by seq.
CREATE INDEX audit_log_action_ts ON audit_log (tenant_id, action, ts);
