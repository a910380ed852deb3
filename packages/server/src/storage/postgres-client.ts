import pg from 'pg';
import type { SqlClient } from './sql-client.ts';

// Return int8 and numeric as strings and let the storage convert: a bigint seq must
// not lose precision, and both drivers then look the same to the storage.
export async function createPostgresClient(url: string, opts: { max?: number } = {}): Promise<SqlClient> {
  const pool = new pg.Pool({ connectionString: url, max: opts.max ?? 10 });
  pool.on('error', () => {
    // An idle client lost its connection (PostgreSQL restarted). The pool replaces
    // it; the next query surfaces the error to its caller, who retries.
  });
  await pool.query('SELECT 1');
  const fromClient = (c: pg.PoolClient): SqlClient => ({
    kind: 'postgres',
    query: async <R>(sql: string, params?: unknown[]) => ({ rows: (await c.query(sql, params)).rows as R[] }),
    exec: async (sql) => {
      await c.query(sql);
    },
    transaction: (fn) => fn(fromClient(c)),
    close: async () => {},
  });
  return {
    kind: 'postgres',
    query: async <R>(sql: string, params?: unknown[]) => ({ rows: (await pool.query(sql, params)).rows as R[] }),
    exec: async (sql) => {
      await pool.query(sql);
    },
    transaction: async (fn) => {
      const c = await pool.connect();
      // A checked-out client has no pool listener: PostgreSQL terminating its connection
      // (stop, restart, failover) would be an unhandled 'error' event and kill the
      // process. Note it instead; the query in flight fails on its own and its caller
      // retries, and the broken client is discarded rather than pooled again.
      let broken: Error | undefined;
      const onError = (e: Error) => {
        broken = e;
      };
      c.on('error', onError);
      try {
        await c.query('BEGIN');
        const r = await fn(fromClient(c));
        await c.query('COMMIT');
        return r;
      } catch (e) {
        await c.query('ROLLBACK').catch((rollbackError: Error) => {
          broken ??= rollbackError;
        });
        throw e;
      } finally {
        c.off('error', onError);
        c.release(broken);
      }
    },
    close: () => pool.end(),
  };
}
