-- Rollup cost columns wide enough that no (tenant, hour, stage, model, version) can
-- overflow (issue 12). One event costs at most 300,001,000 USD (contracts limits.ts:
-- tokens, pages and prices are bounded at ingest and in the registry), which fits the
-- event's own numeric(18, 9). numeric(20, 9) held 1e11 USD: about 333 maximal events
-- in one hour, after which every later event of that key failed in the writer.
-- numeric(38, 9) holds 1e29 USD: 3.3e20 maximal events per key and hour (or per day
-- for audit_summaries), about 9e16 events a second for an hour.
ALTER TABLE cost_metrics ALTER COLUMN cost_usd TYPE numeric(38, 9);
ALTER TABLE audit_summaries ALTER COLUMN cost_usd TYPE numeric(38, 9);
