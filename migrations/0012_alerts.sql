-- Alerts raised by the evaluator (bottleneck, error rate, latency, cost spike, silence).

-- Every state change takes the next value, so each server process can push exactly
-- the changes it has not pushed yet to its own SSE clients, whoever made them.
CREATE SEQUENCE alerts_change_seq;

CREATE TABLE alerts (
  id              uuid        PRIMARY KEY,
  tenant_id       text,       -- NULL: about the whole pipeline
  rule            text        NOT NULL,
  subject         text        NOT NULL,  -- what it is about: 'stage:embed', 'model:x@1.0.0'
  severity        text        NOT NULL CHECK (severity IN ('info', 'warning', 'critical')),
  stage           text,
  model_name      text,
  message         text        NOT NULL,
  state           text        NOT NULL CHECK (state IN ('open', 'acknowledged', 'resolved')),
  details         jsonb       NOT NULL DEFAULT '{}',
  opened_at       timestamptz NOT NULL DEFAULT clock_timestamp(),
  updated_at      timestamptz NOT NULL DEFAULT clock_timestamp(),
  acknowledged_at timestamptz,
  acknowledged_by text,
  resolved_at     timestamptz,
  resolved_by     text,
  change_seq      bigint      NOT NULL DEFAULT nextval('alerts_change_seq')
);

-- At most one unresolved alert per rule and subject: two evaluators (two server
-- processes) racing to open the same alert insert one row; the loser's insert is a no-op.
CREATE UNIQUE INDEX alerts_one_unresolved ON alerts (rule, subject, coalesce(tenant_id, '')) WHERE state <> 'resolved';
CREATE INDEX alerts_change ON alerts (change_seq);
CREATE INDEX alerts_opened ON alerts (opened_at DESC);
