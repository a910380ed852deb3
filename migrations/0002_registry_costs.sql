-- Model versions (the registry grows around this table) and hourly cost rollups.

CREATE TABLE model_versions (
  id            uuid        PRIMARY KEY,
  model_name    text        NOT NULL,
  version       text        NOT NULL,
  stage         text,
  config        jsonb       NOT NULL DEFAULT '{}',
  -- USD: per 1k input / output / cached-input tokens, per page, per call.
  pricing       jsonb       NOT NULL DEFAULT '{}',
  created_by    text        NOT NULL DEFAULT 'system',
  reason        text,
  created_at    timestamptz NOT NULL DEFAULT now(),
  UNIQUE (model_name, version)
);

-- One row per tenant, hour, stage, model and version; maintained by the writer in the
-- same statement that inserts the events, so a replayed event is never counted twice.
CREATE TABLE cost_metrics (
  tenant_id      text             NOT NULL,
  hour           timestamptz      NOT NULL,
  stage          text             NOT NULL,
  model_name     text             NOT NULL,
  model_version  text             NOT NULL,
  calls          bigint           NOT NULL DEFAULT 0,
  errors         bigint           NOT NULL DEFAULT 0,
  input_tokens   bigint           NOT NULL DEFAULT 0,
  output_tokens  bigint           NOT NULL DEFAULT 0,
  cost_usd       numeric(20, 9)   NOT NULL DEFAULT 0,
  duration_ms_sum double precision NOT NULL DEFAULT 0,
  duration_ms_max double precision NOT NULL DEFAULT 0,
  PRIMARY KEY (tenant_id, hour, stage, model_name, model_version)
);
CREATE INDEX cost_metrics_hour ON cost_metrics (hour);
