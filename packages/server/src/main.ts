import cluster from 'node:cluster';
import { buildApp } from './app.ts';
import { loadConfig } from './config.ts';
import { terminalLogStream } from './kernel/log-pretty.ts';
import { loggerOptions } from './kernel/log-redaction.ts';
import { supervise, workerCount } from './workers.ts';

/**
 * Entry point: `npm start` (embedded: PGlite + memory bus) or, with DATABASE_URL and
 * REDIS_URL, one process of a server deployment. Stops gracefully on SIGINT/SIGTERM:
 * stops taking requests, lets the writer finish its batch, closes the stores.
 */
export async function main(overrides: Partial<ReturnType<typeof loadConfig>> = {}, hooks: { beforeStop?: () => Promise<void> } = {}) {
  const config = loadConfig(process.env, overrides);
  const app = await buildApp({
    config,
    // Credentials, payloads and query strings never reach the log (kernel/log-redaction.ts);
    // on a terminal it is one readable line per record, JSON otherwise (kernel/log-pretty.ts).
    logger: { ...loggerOptions(config.logLevel), ...terminalLogStream(process.stdout, process.env) },
  });
  await app.listen({ port: config.port, host: config.host });
  app.log.info(`Frostbyte Model Observatory on http://localhost:${config.port} (storage: ${app.storage.kind}, bus: ${app.bus.kind})`);
  let closing = false;
  const stop = async (signal: string) => {
    if (closing) return;
    closing = true;
    app.log.info({ signal }, 'shutting down');
    await hooks.beforeStop?.().catch((err) => app.log.warn({ err }, 'before-stop hook failed'));
    // In-flight requests get a grace period; connections still open after it are cut.
    const force = setTimeout(() => app.server.closeAllConnections(), 5000);
    await app.close();
    clearTimeout(force);
    process.exit(0);
  };
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));
  // A worker whose supervisor is gone (even kill -9) stops rather than lingering.
  if (cluster.isWorker) process.on('disconnect', () => void stop('supervisor gone'));
  return app;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  try {
    const workers = workerCount(process.env);
    if (workers > 1 && cluster.isPrimary) supervise(workers);
    else
      main().catch((err) => {
        console.error(err);
        process.exit(1);
      });
  } catch (err) {
    console.error(String((err as Error).message ?? err));
    process.exit(1);
  }
}
