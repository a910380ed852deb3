-- Model events and decision traces, partitioned by day on the event's own time.
-- The partition key is the client's `timestamp` (not received_at) so that a replayed
-- event lands in the same partition and the primary key makes the replay a no-op.

CREATE TABLE model_events (
  id               uuid         NOT NULL,
  seq              bigint       NOT NULL,  -- server order: bus position (ms << 20 | n)
  invocation_id    uuid         NOT NULL,
  pipeline_run_id  text,
  "timestamp"      timestamptz  NOT NULL,
  emitted_at       timestamptz,
  received_at      timestamptz  NOT NULL,
  tenant_id        text         NOT NULL,
  document_id      text,
  stage            text         NOT NULL,
  model_name       text         NOT NULL,
  model_version    text         NOT NULL,
  operation        text         NOT NULL,
  status           text         NOT NULL CHECK (status IN ('started', 'completed', 'failed', 'abandoned')),
  duration_ms      double precision,
  input_tokens     integer,
  output_tokens    integer,
  cost_usd         numeric(18, 9),
  metadata         jsonb        NOT NULL DEFAULT '{}',
  error            jsonb,
  has_trace        boolean      NOT NULL DEFAULT false,
  confidence_score real,
  PRIMARY KEY (id, "timestamp")
) PARTITION BY RANGE ("timestamp");

-- Catches anything outside the pre-created day partitions (clock skew, late replays).
CREATE TABLE model_events_default PARTITION OF model_events DEFAULT;

-- The history list and SSE backfill walk `seq` per tenant; filters narrow by model,
-- document or stage; the tracer looks up invocations.
CREATE INDEX model_events_tenant_seq     ON model_events (tenant_id, seq DESC);
CREATE INDEX model_events_tenant_model   ON model_events (tenant_id, model_name, seq DESC);
CREATE INDEX model_events_tenant_stage   ON model_events (tenant_id, stage, seq DESC);
CREATE INDEX model_events_tenant_time    ON model_events (tenant_id, "timestamp" DESC);
CREATE INDEX model_events_document       ON model_events (tenant_id, document_id, seq);
CREATE INDEX model_events_invocation     ON model_events (invocation_id);
CREATE INDEX model_events_seq            ON model_events (seq);

CREATE TABLE decision_traces (
  event_id           uuid        NOT NULL,
  tenant_id          text        NOT NULL,
  "timestamp"        timestamptz NOT NULL,
  input              bytea,      -- sealed (AES-256-GCM) JSON, see server/src/security
  output             bytea,
  decision_rationale bytea,
  confidence_score   real,
  redactions         jsonb       NOT NULL DEFAULT '{}',
  key_version        integer,
  PRIMARY KEY (event_id, "timestamp")
) PARTITION BY RANGE ("timestamp");

CREATE TABLE decision_traces_default PARTITION OF decision_traces DEFAULT;
CREATE INDEX decision_traces_tenant ON decision_traces (tenant_id, event_id);

-- Creates the day partitions of both tables for [first_day, last_day]; idempotent.
CREATE FUNCTION fmo_ensure_partitions(first_day date, last_day date) RETURNS integer
LANGUAGE plpgsql AS $$
DECLARE
  d date := first_day;
  created integer := 0;
  t text;
BEGIN
  WHILE d <= last_day LOOP
    FOREACH t IN ARRAY ARRAY['model_events', 'decision_traces'] LOOP
      IF to_regclass(format('%I', t || '_p' || to_char(d, 'YYYYMMDD'))) IS NULL THEN
        BEGIN
          EXECUTE format('CREATE TABLE %I PARTITION OF %I FOR VALUES FROM (%L) TO (%L)',
                         t || '_p' || to_char(d, 'YYYYMMDD'), t, d::text || ' 00:00:00+00', (d + 1)::text || ' 00:00:00+00');
          created := created + 1;
        EXCEPTION WHEN check_violation THEN
          -- The default partition already holds rows of that day: they stay there.
          NULL;
        END;
      END IF;
    END LOOP;
    d := d + 1;
  END LOOP;
  RETURN created;
END $$;
