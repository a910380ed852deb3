import fs from 'node:fs';
import { PGlite, type Transaction } from '@electric-sql/pglite';
import type { SqlClient } from './sql-client.ts';

/** Embedded PostgreSQL (WASM). Data lives under `dir` and survives restarts; with no
 * dir it is in memory (tests). PGlite is single-connection, so transactions are
 * serialised by PGlite itself. */
export async function createPgliteClient(dir: string | null): Promise<SqlClient> {
  if (dir) fs.mkdirSync(dir, { recursive: true });
  const db = await PGlite.create(dir ?? undefined);
  const wrap = (q: PGlite | Transaction): SqlClient => ({
    kind: 'pglite',
    query: async <R>(sql: string, params?: unknown[]) => {
      const r = await q.query<R>(sql, params as unknown[]);
      return { rows: r.rows };
    },
    exec: async (sql) => {
      await q.exec(sql);
    },
    transaction: (fn) => (q === db ? db.transaction((tx) => fn(wrap(tx))) : fn(wrap(q))),
    close: async () => {
      if (q === db) await db.close();
    },
  });
  return wrap(db);
}
