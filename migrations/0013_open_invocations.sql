-- Invocations in flight, kept by the writer in the statement that inserts their
-- events (storage/sql-storage.ts, insertRecords), so it commits with them. The live
-- "in flight" figures and the abandon sweep read this table instead of anti-joining
-- every day partition of model_events: their cost follows what is in flight, not the
-- event rate times the window.
--
-- A row is a start whose end has not arrived (ended = false), or a short-lived
-- tombstone (ended = true) for an end that committed before its start (writer loops
-- commit batches in any order): the start then finds it and stays closed. The
-- abandon sweep deletes old tombstones and starts too old to ever be swept.
-- Keyed per tenant as well: one tenant's end never closes another tenant's start.

CREATE TABLE open_invocations (
  invocation_id    uuid        NOT NULL,
  tenant_id        text        NOT NULL,
  stage            text        NOT NULL,
  model_name       text        NOT NULL,
  model_version    text        NOT NULL,
  started_event_id uuid,        -- NULL while only the end has arrived
  started_at       timestamptz, -- the start's "timestamp": with the id, its model_events key
  ended            boolean     NOT NULL DEFAULT false,
  updated_at       timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (invocation_id, tenant_id)
);

-- The reads: in flight since a time (live figures, abandon sweep); tombstones by age.
CREATE INDEX open_invocations_started ON open_invocations (started_at) WHERE NOT ended;
CREATE INDEX open_invocations_ended ON open_invocations (updated_at) WHERE ended;

-- Tenant isolation exactly as migrations/0006 does it for every tenant table.
GRANT SELECT, INSERT, UPDATE, DELETE ON open_invocations TO fmo_app;
ALTER TABLE open_invocations ENABLE ROW LEVEL SECURITY;
ALTER TABLE open_invocations FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON open_invocations
  USING (current_setting('fmo.tenants', true) = '*'
         OR tenant_id = ANY (string_to_array(current_setting('fmo.tenants', true), ',')))
  WITH CHECK (current_setting('fmo.tenants', true) = '*'
         OR tenant_id = ANY (string_to_array(current_setting('fmo.tenants', true), ',')));

-- An upgraded database keeps its in-flight state: starts of the abandon sweep's
-- horizon (2 days) with no end. FORCE applies the policies to the owner too, so the
-- backfill sees every tenant for this transaction only, then fails closed again.
SELECT set_config('fmo.tenants', '*', true);
INSERT INTO open_invocations (invocation_id, tenant_id, stage, model_name, model_version, started_event_id, started_at)
SELECT DISTINCT ON (s.invocation_id, s.tenant_id)
  s.invocation_id, s.tenant_id, s.stage, s.model_name, s.model_version, s.id, s."timestamp"
FROM model_events s
WHERE s.status = 'started' AND s."timestamp" > now() - interval '2 days'
  AND NOT EXISTS (SELECT 1 FROM model_events f
                  WHERE f.invocation_id = s.invocation_id AND f.tenant_id = s.tenant_id AND f.status <> 'started')
ORDER BY s.invocation_id, s.tenant_id, s."timestamp";
SELECT set_config('fmo.tenants', '', true);
