-- The signed, append-only audit log (DESIGN §5 "Audit"); formats in
-- packages/server/src/security/README.md. One hash chain per tenant ('_system' for
-- actions that belong to no tenant: users, logins). Rows are never updated: the
-- trigger below refuses it for everyone, and the application role has no grant.

CREATE TABLE audit_log (
  tenant_id  text        NOT NULL,
  seq        bigint      NOT NULL,          -- per tenant, from 1, no gaps
  ts         timestamptz NOT NULL,          -- toISOString() of it is what was hashed
  actor      text        NOT NULL,
  action     text        NOT NULL,
  target     text        NOT NULL,
  details    jsonb       NOT NULL DEFAULT '{}',
  batch_root text,                          -- Merkle root of an ingested batch's event digests
  prev_hash  text        NOT NULL,
  hash       text        NOT NULL,
  PRIMARY KEY (tenant_id, seq)
);
CREATE INDEX audit_log_ts ON audit_log (ts);
CREATE INDEX audit_log_action ON audit_log (tenant_id, action, seq);

-- Ed25519 signed notes, byte for byte. `size` = the head seq they attest.
CREATE TABLE audit_checkpoints (
  tenant_id  text        NOT NULL,
  size       bigint      NOT NULL,
  note       text        NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, size)
);

-- Which events an `events.batch` entry covers, in leaf order, so one event's
-- inclusion proof can be rebuilt. Not part of the chain (the root is); kept as long
-- as the traces themselves (retention drops it with them).
CREATE TABLE audit_batches (
  tenant_id       text        NOT NULL,
  seq             bigint      NOT NULL,    -- the audit_log entry
  first_event_seq bigint      NOT NULL,
  last_event_seq  bigint      NOT NULL,
  event_ids       uuid[]      NOT NULL,
  created_at      timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, seq)
);
CREATE INDEX audit_batches_range ON audit_batches (tenant_id, first_event_seq);
CREATE INDEX audit_batches_created ON audit_batches (created_at);

-- What is left of a day once its traces are dropped: per tenant and model version,
-- counts, tokens, cost, and the Merkle root over that day's batch roots.
CREATE TABLE audit_summaries (
  day           date           NOT NULL,
  tenant_id     text           NOT NULL,
  model_name    text           NOT NULL,
  model_version text           NOT NULL,
  calls         bigint         NOT NULL,
  errors        bigint         NOT NULL,
  input_tokens  bigint         NOT NULL,
  output_tokens bigint         NOT NULL,
  cost_usd      numeric(20, 9) NOT NULL,
  batches       integer        NOT NULL,
  batches_root  text,
  created_at    timestamptz    NOT NULL DEFAULT now(),
  PRIMARY KEY (day, tenant_id, model_name, model_version)
);

-- Append-only, enforced in the database. Retention is the one exception: it may
-- delete entries older than the audit window, and only after signing an epoch
-- checkpoint, by setting fmo.audit_prune for its own transaction, and never as the
-- application role.
CREATE FUNCTION fmo_audit_append_only() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'DELETE' AND current_setting('fmo.audit_prune', true) = 'on' AND current_user <> 'fmo_app' THEN
    RETURN OLD;
  END IF;
  RAISE EXCEPTION 'audit tables are append-only: % refused', TG_OP USING ERRCODE = 'insufficient_privilege';
END $$;

CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON audit_log
  FOR EACH ROW EXECUTE FUNCTION fmo_audit_append_only();
CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
  FOR EACH STATEMENT EXECUTE FUNCTION fmo_audit_append_only();
CREATE TRIGGER audit_checkpoints_append_only BEFORE UPDATE OR DELETE ON audit_checkpoints
  FOR EACH ROW EXECUTE FUNCTION fmo_audit_append_only();
CREATE TRIGGER audit_checkpoints_no_truncate BEFORE TRUNCATE ON audit_checkpoints
  FOR EACH STATEMENT EXECUTE FUNCTION fmo_audit_append_only();
