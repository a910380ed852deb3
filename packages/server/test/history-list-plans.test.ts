import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SqlClient } from '../src/storage/sql-client.ts';
import { SqlStorage } from '../src/storage/sql-storage.ts';
import { makeStorage, type StorageKind, uniq } from './helper.ts';

interface PlanNode {
  'Node Type': string;
  'Index Name'?: string;
  Plans?: PlanNode[];
}

const nodes = (n: PlanNode): PlanNode[] => [n, ...(n.Plans ?? []).flatMap(nodes)];

/** The SQL client with every read of model_events replaced by its EXPLAIN: the plans
 * of exactly the statements the storage sends. */
function explaining(db: SqlClient, plans: PlanNode[]): SqlClient {
  const wrap = (c: SqlClient): SqlClient => ({
    kind: c.kind,
    exec: (sql) => c.exec(sql),
    query: async <R>(sql: string, params?: unknown[]) => {
      if (!/^\s*SELECT\b[\s\S]*\bFROM model_events\b/.test(sql)) return c.query<R>(sql, params);
      const { rows } = await c.query<{ 'QUERY PLAN': unknown }>(`EXPLAIN (FORMAT JSON) ${sql}`, params);
      const out = rows[0]?.['QUERY PLAN'];
      plans.push((typeof out === 'string' ? JSON.parse(out) : out)[0].Plan as PlanNode);
      return { rows: [] as R[] };
    },
    transaction: (fn) => c.transaction((tx) => fn(wrap(tx))),
    close: () => c.close(),
  });
  return wrap(db);
}

/**
 * The first page of the history list must walk the (…, seq DESC) indexes of the day
 * partitions and stop after `limit` rows, never read every matching row and sort them:
 * at 10 M events that was seconds instead of milliseconds (bench/history.ts). What
 * decides it is the planner's estimate of the tenant policy every query runs under
 * (migrations/0014), so a table with a few thousand matching rows shows it.
 */
for (const kind of ['postgres', 'pglite'] as StorageKind[]) {
  describe(`history list plans: ${kind}`, () => {
    const tenant = uniq('plan');
    let storage: SqlStorage;
    let cleanup: () => Promise<void>;
    beforeAll(async () => {
      ({ storage, cleanup } = await makeStorage(kind));
      // 12,000 events over the last 20 h (two day partitions), seq rising with time like
      // the bus assigns it; two models, 4 % failed.
      await storage.scoped('*', (tx) =>
        tx.query(
          `INSERT INTO model_events (id, seq, invocation_id, "timestamp", received_at, tenant_id, stage, model_name,
             model_version, operation, status)
           SELECT gen_random_uuid(), (floor(extract(epoch FROM t) * 1000)::bigint << 20) + i, gen_random_uuid(), t, t, $1,
             CASE WHEN i % 2 = 0 THEN 'embed' ELSE 'parse' END, CASE WHEN i % 2 = 0 THEN 'embedder' ELSE 'parser' END,
             '1', 'op', CASE WHEN i % 25 = 0 THEN 'failed' ELSE 'completed' END
           FROM generate_series(1, 12000) AS i, LATERAL (SELECT now() - i * interval '6 seconds' AS t) AS ts`,
          [tenant],
        ),
      );
      await storage.db.exec('ANALYZE model_events');
    }, 60_000);
    afterAll(() => cleanup?.());

    const plansOf = async (q: Parameters<SqlStorage['listEvents']>[1]) => {
      const plans: PlanNode[] = [];
      await new SqlStorage(explaining(storage.db, plans)).listEvents('*', q);
      expect(plans).toHaveLength(1);
      return nodes(plans[0] as PlanNode);
    };

    it('tenant + model: an ordered index walk, no sort', async () => {
      const plan = await plansOf({ tenant_id: tenant, model_name: 'embedder', limit: 51 });
      expect(plan[0]?.['Node Type']).toBe('Limit');
      expect(plan.map((n) => n['Node Type'])).not.toContain('Sort');
    });

    it('tenant + stage + status=failed: the failures index, no sort', async () => {
      const plan = await plansOf({ tenant_id: tenant, stage: 'embed', status: 'failed', limit: 51 });
      expect(plan.map((n) => n['Node Type'])).not.toContain('Sort');
      const { rows } = await storage.db.query<{ relname: string }>(
        `SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
         WHERE i.inhparent = 'model_events_tenant_failures'::regclass`,
      );
      const failureIndexes = new Set(rows.map((r) => r.relname));
      const used = plan.flatMap((n) => (n['Index Name'] ? [n['Index Name']] : []));
      expect(used.length).toBeGreaterThan(0);
      expect(used.filter((i) => !failureIndexes.has(i))).toEqual([]);
    });

    it('every tenant table has the same policy text (a copy of the old OR form brings the misestimate back)', async () => {
      const { rows } = await storage.db.query<{ qual: string; with_check: string }>(
        `SELECT DISTINCT qual, with_check FROM pg_policies WHERE policyname = 'tenant_isolation'`,
      );
      expect(rows).toHaveLength(1);
      expect(rows[0]?.qual.trim()).toMatch(/^CASE/);
      expect(rows[0]?.with_check).toBe(rows[0]?.qual);
    });

    it('a tenant-scoped caller gets the same walk', async () => {
      const plans: PlanNode[] = [];
      await new SqlStorage(explaining(storage.db, plans)).listEvents([tenant], { tenant_id: tenant, model_name: 'parser', limit: 51 });
      expect(nodes(plans[0] as PlanNode).map((n) => n['Node Type'])).not.toContain('Sort');
    });
  });
}
