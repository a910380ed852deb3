import fs from 'node:fs';
import path from 'node:path';
import { newId } from '@frostbyte/contracts';
import { afterEach, describe, expect, it } from 'vitest';
import { MIGRATIONS_DIR, migrate } from '../src/storage/migrate.ts';
import { createPgliteClient } from '../src/storage/pglite-client.ts';
import { createPostgresClient } from '../src/storage/postgres-client.ts';
import type { SqlClient } from '../src/storage/sql-client.ts';
import { freshPgDatabase, type StorageKind, tempDir, uniq } from './helper.ts';

/** Migrations up to and including `last`, copied to a directory of their own. */
function migrationsThrough(last: string) {
  const dir = tempDir('fmo-migrations-');
  for (const f of fs.readdirSync(MIGRATIONS_DIR).filter((f) => /^\d{4}_/.test(f) && f.slice(0, 4) <= last)) {
    fs.copyFileSync(path.join(MIGRATIONS_DIR, f), path.join(dir, f));
  }
  return dir;
}

async function openDb(kind: StorageKind): Promise<{ db: SqlClient; close: () => Promise<void> }> {
  if (kind === 'pglite') {
    const db = await createPgliteClient(null);
    return { db, close: () => db.close() };
  }
  const { url, drop } = await freshPgDatabase();
  const db = await createPostgresClient(url);
  return {
    db,
    close: async () => {
      await db.close();
      await drop();
    },
  };
}

/** Upgrading to migrations/0013 fills the in-flight set from the events already stored. */
for (const kind of ['pglite', 'postgres'] as StorageKind[]) {
  describe(`open_invocations backfill: ${kind}`, () => {
    const closers: (() => Promise<void>)[] = [];
    afterEach(async () => {
      for (const c of closers.splice(0)) await c();
    });

    it('keeps the starts of the last two days that have no end, per tenant', async () => {
      const { db, close } = await openDb(kind);
      closers.push(close);
      await migrate(db, migrationsThrough('0012'));
      await db.query('SELECT fmo_ensure_partitions(current_date - 1, current_date + 1)');
      const a = uniq('a');
      const b = uniq('b');
      const ago = (ms: number) => new Date(Date.now() - ms).toISOString();
      const rows: [string, string, string, string][] = []; // invocation, tenant, status, timestamp
      const stillOpen = newId();
      const ended = newId();
      const tooOld = newId();
      rows.push([stillOpen, a, 'started', ago(3600_000)]);
      rows.push([stillOpen, b, 'completed', ago(3500_000)]); // another tenant's end under the same id
      rows.push([ended, a, 'started', ago(3600_000)], [ended, a, 'completed', ago(3500_000)]);
      rows.push([tooOld, a, 'started', ago(3 * 86_400_000)]);
      let seq = 1;
      for (const [inv, tenant, status, ts] of rows) {
        await db.query(
          `INSERT INTO model_events (id, seq, invocation_id, "timestamp", received_at, tenant_id, stage, model_name, model_version, operation, status)
           VALUES ($1, $2, $3, $4, now(), $5, 'embed', 'm', '1', 'embed', $6)`,
          [newId(), seq++, inv, ts, tenant, status],
        );
      }
      expect(await migrate(db, migrationsThrough('0013'))).toEqual(['0013_open_invocations.sql']);
      const { rows: got } = await db.query<{ invocation_id: string; tenant_id: string; stage: string; ended: boolean }>(
        `SELECT invocation_id, tenant_id, stage, ended FROM open_invocations WHERE tenant_id IN ($1, $2)`,
        [a, b],
      );
      expect(got).toEqual([{ invocation_id: stillOpen, tenant_id: a, stage: 'embed', ended: false }]);
    });
  });
}

/** Upgrading to migrations/0029 fills the rollups' token parts from the events still stored. */
for (const kind of ['pglite', 'postgres'] as StorageKind[]) {
  describe(`cost_metrics token parts backfill: ${kind}`, () => {
    it('sums each stored hour exactly; an hour whose events are gone keeps 0', async () => {
      const { db, close } = await openDb(kind);
      try {
        await migrate(db, migrationsThrough('0028'));
        await db.query('SELECT fmo_ensure_partitions(current_date - 1, current_date + 1)');
        const t = uniq('c');
        const hour = new Date(Math.floor(Date.now() / 3600_000) * 3600_000);
        const at = new Date(hour.getTime() + 60_000).toISOString();
        let seq = 1;
        for (const [status, cached, written, reasoning] of [
          ['completed', 40, 10, 3],
          ['failed', 2, null, null],
          ['started', 999, 999, 999], // not a call: the rollup never counted it
        ] as const) {
          await db.query(
            `INSERT INTO model_events (id, seq, invocation_id, "timestamp", received_at, tenant_id, stage, model_name, model_version, operation, status,
               cached_input_tokens, cache_write_tokens, reasoning_tokens)
             VALUES ($1, $2, $3, $4, now(), $5, 'embed', 'm', '1', 'embed', $6, $7, $8, $9)`,
            [newId(), seq++, newId(), at, t, status, cached, written, reasoning],
          );
        }
        // The rollup rows as the writer made them before 0029: this hour's, and an old one whose events are gone.
        for (const h of [hour, new Date(hour.getTime() - 40 * 86_400_000)]) {
          await db.query(
            `INSERT INTO cost_metrics (tenant_id, hour, stage, model_name, model_version, calls, errors) VALUES ($1, $2, 'embed', 'm', '1', 2, 1)`,
            [t, h.toISOString()],
          );
        }
        expect(await migrate(db, migrationsThrough('0029'))).toEqual(['0029_cost_token_parts.sql']);
        const { rows } = await db.query<{ hour: Date | string; c: string; w: string; r: string }>(
          'SELECT hour, cached_input_tokens::text AS c, cache_write_tokens::text AS w, reasoning_tokens::text AS r FROM cost_metrics WHERE tenant_id = $1 ORDER BY hour DESC',
          [t],
        );
        expect(rows.map((r) => [r.c, r.w, r.r])).toEqual([
          ['42', '10', '3'],
          ['0', '0', '0'],
        ]);
      } finally {
        await close();
      }
    });
  });
}
