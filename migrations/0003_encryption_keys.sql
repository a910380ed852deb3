-- Per-tenant data keys, wrapped by the master key (envelope encryption). Destroying a
-- tenant's keys (wrapped_key emptied, destroyed_at set) crypto-shreds its traces.
CREATE TABLE encryption_keys (
  tenant_id    text        NOT NULL,
  version      integer     NOT NULL,
  wrapped_key  bytea       NOT NULL,
  is_primary   boolean     NOT NULL DEFAULT false,
  created_at   timestamptz NOT NULL DEFAULT now(),
  destroyed_at timestamptz,
  PRIMARY KEY (tenant_id, version)
);
