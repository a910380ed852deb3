-- A/B experiments: two model versions of one stage, documents split by a sticky hash.

CREATE TABLE experiments (
  id                uuid        PRIMARY KEY,
  name              text        NOT NULL,
  stage             text        NOT NULL,
  control_model     text        NOT NULL,
  control_version   text        NOT NULL,
  treatment_model   text        NOT NULL,
  treatment_version text        NOT NULL,
  treatment_percent real        NOT NULL CHECK (treatment_percent > 0 AND treatment_percent < 100),
  tenants           text[],     -- NULL: every tenant
  state             text        NOT NULL CHECK (state IN ('running', 'stopped', 'promoted')),
  created_by        text        NOT NULL,
  reason            text        NOT NULL,
  started_at        timestamptz NOT NULL DEFAULT clock_timestamp(),
  ended_at          timestamptz,
  ended_by          text,
  end_reason        text,
  winner            text        CHECK (winner IN ('control', 'treatment'))
);

-- One running experiment per stage: two would send a document through competing
-- splits and neither result would mean anything.
CREATE UNIQUE INDEX experiments_one_running_per_stage ON experiments (stage) WHERE state = 'running';
CREATE INDEX experiments_control ON experiments (control_model);
CREATE INDEX experiments_treatment ON experiments (treatment_model);
