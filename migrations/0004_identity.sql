-- Identity: people (users, who get short-lived JWTs) and machines (ingest API keys,
-- one tenant each). Secrets are never stored: an API key is kept as its SHA-256,
-- and user tokens are verified by signature, so a dump of these tables logs nobody in.

CREATE TABLE users (
  id          uuid        PRIMARY KEY,
  name        text        NOT NULL UNIQUE,
  role        text        NOT NULL CHECK (role IN ('admin', 'ml_engineer', 'compliance_officer', 'operator', 'viewer')),
  -- Tenant slugs, or {'*'} for every tenant.
  tenants     text[]      NOT NULL,
  created_by  text        NOT NULL,
  created_at  timestamptz NOT NULL DEFAULT now(),
  -- A disabled user's tokens stop working at once (checked per request).
  disabled_at timestamptz
);

CREATE TABLE api_keys (
  id          uuid        PRIMARY KEY,
  tenant_id   text        NOT NULL,
  name        text        NOT NULL,
  -- The first characters of the key (`fmo_ik_ab12…`), so a person can tell keys apart.
  prefix      text        NOT NULL,
  key_hash    bytea       NOT NULL UNIQUE,
  created_by  text        NOT NULL,
  created_at  timestamptz NOT NULL DEFAULT now(),
  revoked_at  timestamptz
);
CREATE INDEX api_keys_tenant ON api_keys (tenant_id);
