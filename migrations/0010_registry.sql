-- The model registry around model_versions (0002): models, what is active where, and
-- the history of every change to that. clock_timestamp() rather than now(): several
-- rows written in one transaction keep their real order on the timeline.

CREATE TABLE models (
  name        text        PRIMARY KEY,
  stage       text        NOT NULL,
  description text,
  created_by  text        NOT NULL DEFAULT 'system',
  created_at  timestamptz NOT NULL DEFAULT clock_timestamp()
);

-- Versions stored before the registry existed (prices only) become models of their stage.
INSERT INTO models (name, stage, created_by, created_at)
SELECT model_name, coalesce(max(stage), 'unknown'), 'migration', min(created_at)
FROM model_versions GROUP BY model_name;

CREATE INDEX model_versions_model_created ON model_versions (model_name, created_at);

-- History: every deploy, rollback and traffic split, never updated or deleted.
CREATE TABLE deployments (
  id             uuid        PRIMARY KEY,
  model_name     text        NOT NULL,
  stage          text        NOT NULL,
  from_version   text,       -- NULL: nothing was active, or the tenants were on different versions
  to_version     text        NOT NULL,
  from_by_tenant jsonb       NOT NULL DEFAULT '{}',  -- tenant ('*' = all) → version before
  tenants        text[],     -- NULL: every tenant
  kind           text        NOT NULL CHECK (kind IN ('deploy', 'rollback', 'traffic_split')),
  actor          text        NOT NULL,
  reason         text        NOT NULL,
  experiment_id  uuid,
  created_at     timestamptz NOT NULL DEFAULT clock_timestamp()
);
CREATE INDEX deployments_model_time ON deployments (model_name, created_at);

-- What runs now: one row per model and tenant. tenant_id '*' applies to every tenant
-- that has no row of its own. Changed only under the stage's advisory lock.
CREATE TABLE active_versions (
  model_name    text        NOT NULL,
  tenant_id     text        NOT NULL,
  stage         text        NOT NULL,
  version       text        NOT NULL,
  deployment_id uuid        NOT NULL,
  updated_at    timestamptz NOT NULL DEFAULT clock_timestamp(),
  PRIMARY KEY (model_name, tenant_id)
);
CREATE INDEX active_versions_stage ON active_versions (stage);
