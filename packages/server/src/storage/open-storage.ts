import path from 'node:path';
import type { Config } from '../config.ts';
import { migrate } from './migrate.ts';
import { createPgliteClient } from './pglite-client.ts';
import { createPostgresClient } from './postgres-client.ts';
import { SqlStorage } from './sql-storage.ts';

/** PostgreSQL when DATABASE_URL is set, else embedded PGlite under the data dir.
 * Migrations run and the day partitions are created before anything is served. */
export async function openStorage(config: Pick<Config, 'databaseUrl' | 'dataDir'>, opts: { inMemory?: boolean; maxConnections?: number } = {}) {
  const db = config.databaseUrl
    ? await createPostgresClient(config.databaseUrl, { max: opts.maxConnections })
    : await createPgliteClient(opts.inMemory ? null : path.join(config.dataDir, 'pglite'));
  await migrate(db);
  const storage = new SqlStorage(db);
  await storage.ensurePartitions(new Date(), 7);
  return storage;
}
