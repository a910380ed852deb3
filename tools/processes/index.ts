/**
 * Real processes for the fault suite, the scale-out test and the benchmarks: a private
 * PostgreSQL cluster and a private Redis (so stopping them never disturbs anyone else
 * using the machine's shared services) and server processes started the way production
 * starts them (`node --import tsx packages/server/src/main.ts` + env).
 *
 *   const pg = await PrivatePostgres.start();          // initdb + pg_ctl in a temp dir
 *   const redis = await PrivateRedis.start();
 *   const db = await pg.createDatabase();
 *   const a = await spawnServer({ databaseUrl: db, redisUrl: redis.url });
 *   await a.kill9(); … const stored = await countStored(db, ids);
 *
 * Not test code: `bench/lib/` and `packages/server/test/faults/support.ts` both import
 * it. It imports only Node built-ins and `pg`, never a test file, and runs the server
 * by path rather than importing it.
 */
export { childPids, freePort, sleep, uniq } from './os.ts';
export { countStored, countWhere, PrivatePostgres } from './postgres.ts';
export { PrivateRedis } from './redis.ts';
export { ADMIN_TOKEN, authHeaders, ROOT, type ServerEnv, type ServerProcess, spawnServer } from './server.ts';
