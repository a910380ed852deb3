import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EventStats } from '../../src/storage/event-stats.ts';
import type { SqlStorage } from '../../src/storage/sql-storage.ts';
import { makeStorage, type StorageKind, uniq } from '../helper.ts';
import { record, withSeqs } from '../shared-suites/records.ts';

/** The in-flight reads of the registry and the pipeline monitor, over both drivers:
 * they read the writer's in-flight set (migrations/0013), under the caller's scope. */
for (const kind of ['pglite', 'postgres'] as StorageKind[]) {
  describe(`event stats in flight: ${kind}`, () => {
    let storage: SqlStorage;
    let cleanup: () => Promise<void>;
    let stats: EventStats;
    beforeAll(async () => {
      ({ storage, cleanup } = await makeStorage(kind));
      stats = new EventStats((scope, fn) => storage.scoped(scope, fn));
    }, 60_000);
    afterAll(() => cleanup?.());

    const since = () => new Date(Date.now() - 600_000);

    it('counts per stage what is open since a time, and lists it per version, for the caller\'s tenants only', async () => {
      const a = uniq('a');
      const b = uniq('b');
      const model = uniq('model-');
      const open = [0, 1].map(() => record({ tenant_id: a, status: 'started', stage: 'embed', model_name: model }));
      const done = record({ tenant_id: a, status: 'started', stage: 'embed', model_name: model });
      const tooOld = record({ tenant_id: a, status: 'started', stage: 'embed', model_name: model, timestamp: new Date(Date.now() - 3600_000).toISOString() });
      const theirs = record({ tenant_id: b, status: 'started', stage: 'parse', model_name: model });
      await storage.insertRecords(withSeqs([...open, done, tooOld, theirs]));
      await storage.insertRecords(withSeqs([record({ tenant_id: a, invocation_id: done.event.invocation_id, status: 'completed', stage: 'embed', model_name: model })]));

      const row = (tenant_id: string | null, stage: string, n: number) => ({ tenant_id, stage, n });
      expect(await stats.stageInFlight([a], { since: since(), tenant: null })).toEqual([row(null, 'embed', 2)]);
      expect(await stats.stageInFlight([b], { since: since(), tenant: null })).toEqual([row(null, 'parse', 1)]);
      // An admin narrowing to one tenant sees that tenant's only; a tenant asking for another sees nothing.
      expect(await stats.stageInFlight('*', { since: since(), tenant: a })).toEqual([row(null, 'embed', 2)]);
      expect(await stats.stageInFlight([b], { since: since(), tenant: a })).toEqual([]);
      // Per tenant (the alert evaluator): each tenant's own count, and the total (tenant null) from the same scan.
      const perTenant = await stats.stageInFlight([a, b], { since: since(), tenant: null, perTenant: true });
      const key = (r: { tenant_id: string | null; stage: string }) => `${r.stage}|${r.tenant_id ?? ''}`;
      expect(perTenant.sort((x, y) => key(x).localeCompare(key(y)))).toEqual([
        row(null, 'embed', 2),
        row(a, 'embed', 2),
        row(null, 'parse', 1),
        row(b, 'parse', 1),
      ]);

      const listed = await stats.inFlight([a], { model_name: model, version: '1.0.0', since: since(), tenants: null });
      expect(listed.map((r) => r.invocation_id).sort()).toEqual(open.map((r) => r.event.invocation_id).sort());
      expect(new Set(listed.map((r) => r.tenant_id))).toEqual(new Set([a]));
      expect(await stats.inFlight('*', { model_name: model, version: '1.0.0', since: since(), tenants: [b] })).toEqual([
        { invocation_id: theirs.event.invocation_id, tenant_id: b },
      ]);
      expect(await stats.inFlight([a], { model_name: model, version: '2.0.0', since: since(), tenants: null })).toEqual([]);
    });
  });
}
