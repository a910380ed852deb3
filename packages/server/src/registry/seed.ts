import { newId } from '@frostbyte/contracts';
import type { FastifyBaseLogger } from 'fastify';
import { SYSTEM_ACTOR } from '../kernel/actor.ts';
import { HttpError } from '../kernel/errors.ts';
import type { RegistryService } from './registry-service.ts';
import { SEED_MODELS, type SeedModel } from './seed-models.ts';

/**
 * Registers the default model versions that are missing and deploys a model that has
 * nothing active. Idempotent and safe when several processes start at once: the
 * inserts are ON CONFLICT DO NOTHING and a deploy that lost the race is a 409 we skip.
 * A model someone already deployed (or rolled back) is never touched.
 */
export async function seedRegistry(registry: RegistryService, log: FastifyBaseLogger, models: readonly SeedModel[] = SEED_MODELS) {
  const repo = registry.repo;
  for (const m of models) {
    try {
      if (!(await repo.getModel(m.name))) {
        await repo.insertModel({ name: m.name, stage: m.stage, description: m.description, created_by: 'system' });
      }
      if (!(await repo.getVersion(m.name, m.version))) {
        await repo.insertVersion({
          id: newId(),
          model_name: m.name,
          version: m.version,
          stage: m.stage,
          config: m.config,
          pricing: m.pricing,
          created_by: 'system',
          reason: 'default model of the Frostbyte pipeline',
        });
      }
      if ((await repo.activeOf(m.name)).length === 0) {
        await registry.change(SYSTEM_ACTOR, m.name, {
          version: m.version,
          tenants: null,
          reason: 'initial deployment of the pipeline defaults',
          kind: 'deploy',
          expected: null,
        });
      }
    } catch (err) {
      if (err instanceof HttpError && err.statusCode === 409) continue; // another process seeded it first
      log.error({ err, model: m.name }, 'registry: seeding failed');
      throw err;
    }
  }
}
