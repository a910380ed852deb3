-- One sealed value per trace: `payload` holds the input, output and rationale as one
-- JSON object, sealed once (AES-256-GCM, AAD column 'payload'). Sealing three columns
-- separately cost three cipher set-ups per traced event, the ingest path's dearest
-- step. Rows written before keep their three sealed columns and stay readable.
ALTER TABLE decision_traces ADD COLUMN payload bytea;
