-- How many values each data key has sealed (crypto/trace-crypto.ts). AES-GCM with
-- random 96-bit IVs is safe for at most 2^32 seals per key (NIST SP 800-38D §8.3);
-- the server rotates a tenant's data key automatically once its primary reaches
-- FMO_DATA_KEY_MAX_SEALS (default 2^30), well before that.
--
-- Several processes seal with the same key, so each adds its own count here
-- (seals = seals + n) and the column is the sum.
ALTER TABLE encryption_keys ADD COLUMN seals bigint NOT NULL DEFAULT 0;

-- Keys older than this column: their traces still on disk are a lower bound of what
-- they sealed (retention has pruned older ones), which is the best that can be known.
SELECT set_config('fmo.tenants', '*', true);
UPDATE encryption_keys k
   SET seals = c.n
  FROM (SELECT tenant_id, key_version, count(*) AS n FROM decision_traces
         WHERE key_version IS NOT NULL GROUP BY tenant_id, key_version) c
 WHERE c.tenant_id = k.tenant_id AND c.key_version = k.version;
