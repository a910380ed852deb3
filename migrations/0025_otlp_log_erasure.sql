-- Issue 15 × 13: a document's erasure deletes the GenAI content its spans received as
-- OTLP logs (documents/document-service.ts), running as the application role; retention
-- deletes aged log content as the owner.
GRANT DELETE ON otlp_log_contents TO fmo_app;
