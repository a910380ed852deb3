import fp from 'fastify-plugin';
import { SqlStorage } from '../storage/sql-storage.ts';
import { auditHook } from './audit-hook.ts';
import { EventStats, type ScopedRunner } from '../storage/event-stats.ts';
import { ExperimentService } from './experiment-service.ts';
import { RegistryService } from './registry-service.ts';
import { seedRegistry } from './seed.ts';

declare module 'fastify' {
  interface FastifyInstance {
    registry: RegistryService;
    experiments: ExperimentService;
    eventStats: EventStats;
  }
}

/**
 * The model registry and A/B experiments over the SQL storage. Seeds the pipeline's
 * default models before the server listens, so `/v1/pipeline/config` always answers.
 * A registered version's prices apply to the next ingested batch (the price book is
 * reloaded on every registry change).
 */
export const registryPlugin = fp(
  async (app) => {
    const storage = app.storage;
    if (!(storage instanceof SqlStorage)) throw new Error('the model registry needs the SQL storage (PGlite or PostgreSQL)');
    // Event reads run as the caller's tenant scope (row-level security) when the
    // storage offers it.
    const scoped = (storage as { scoped?: ScopedRunner }).scoped?.bind(storage);
    const run: ScopedRunner = (scope, fn) => (scoped ? scoped(scope, fn) : fn(storage.db));
    const stats = new EventStats(run);
    const audit = auditHook(app, app.log);
    const registry = new RegistryService(storage.db, stats, audit, { abandonAfterMs: app.config.abandonAfterMs });
    registry.onChange = () => void app.prices.refresh(true).catch((err) => app.log.error({ err }, 'registry: price reload failed'));
    const experiments = new ExperimentService(storage.db, stats, registry, audit);
    await seedRegistry(registry, app.log);
    app.decorate('eventStats', stats);
    app.decorate('registry', registry);
    app.decorate('experiments', experiments);
  },
  { name: 'registry', dependencies: ['db', 'ingest'] },
);
