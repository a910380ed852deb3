import fs from 'node:fs';
import path from 'node:path';
import type { SqlClient } from './sql-client.ts';

export const MIGRATIONS_DIR = path.resolve(import.meta.dirname, '../../../../migrations');

/**
 * Applies `migrations/NNNN_name.sql` in order, each in its own transaction, recording
 * them in `schema_migrations`. The same files run on PGlite and PostgreSQL. An
 * advisory lock keeps two server processes from migrating at once.
 */
export async function migrate(db: SqlClient, dir = MIGRATIONS_DIR): Promise<string[]> {
  const files = fs
    .readdirSync(dir)
    .filter((f) => /^\d{4}_[\w-]+\.sql$/.test(f))
    .sort();
  return db.transaction(async (tx) => {
    await tx.query('SELECT pg_advisory_xact_lock(7812026)');
    await tx.exec(`CREATE TABLE IF NOT EXISTS schema_migrations (
      version text PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())`);
    const done = new Set((await tx.query<{ version: string }>('SELECT version FROM schema_migrations')).rows.map((r) => r.version));
    const applied: string[] = [];
    for (const f of files) {
      if (done.has(f)) continue;
      await tx.exec(fs.readFileSync(path.join(dir, f), 'utf8'));
      await tx.query('INSERT INTO schema_migrations (version) VALUES ($1)', [f]);
      applied.push(f);
    }
    return applied;
  });
}
