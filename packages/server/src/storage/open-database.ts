import path from 'node:path';
import type { Config } from '../config.ts';
import { migrate } from './migrate.ts';
import { createPgliteClient } from './pglite-client.ts';
import { createPostgresClient } from './postgres-client.ts';
import type { SqlClient } from './sql-client.ts';

/** PostgreSQL when DATABASE_URL is set, else embedded PGlite under the data dir.
 * Migrations run and the day partitions are created before anything is served. */
export async function openDatabase(
  config: Pick<Config, 'databaseUrl' | 'dataDir'>,
  opts: { inMemory?: boolean; maxConnections?: number } = {},
): Promise<SqlClient> {
  const db = config.databaseUrl
    ? await createPostgresClient(config.databaseUrl, { max: opts.maxConnections })
    : await createPgliteClient(opts.inMemory ? null : path.join(config.dataDir, 'pglite'));
  await migrate(db);
  await ensurePartitions(db, new Date(), 7);
  return db;
}

/** Day partitions of the event tables from yesterday to `daysAhead` days ahead. */
export async function ensurePartitions(db: SqlClient, now: Date, daysAhead: number): Promise<number> {
  const day = (d: Date) => d.toISOString().slice(0, 10);
  const first = new Date(now.getTime() - 86_400_000);
  const last = new Date(now.getTime() + daysAhead * 86_400_000);
  const { rows } = await db.query<{ n: number }>('SELECT fmo_ensure_partitions($1::date, $2::date) AS n', [day(first), day(last)]);
  return Number(rows[0]?.n ?? 0);
}
