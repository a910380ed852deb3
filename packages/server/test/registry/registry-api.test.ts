import { newId } from '@frostbyte/contracts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeEvent, postEvents, startServer, uniq, until } from '../helper.ts';
import { userToken } from '../security/support.ts';
import { api, type Json, percentileCont } from './api.ts';

const ago = (ms: number) => new Date(Date.now() - ms).toISOString();

for (const mode of ['embedded', 'server'] as const) {
  describe(`model registry API (${mode})`, () => {
    let s: Awaited<ReturnType<typeof startServer>>;
    let call: ReturnType<typeof api>;
    beforeAll(async () => {
      s = await startServer(mode, { alertEvaluateMs: 0 });
      call = api(s.url);
    }, 60_000);
    afterAll(() => s?.close());

    /** A fresh model of stage `stage` with versions 1.0.0 and 1.1.0 registered. */
    async function model(stage = uniq('stage')) {
      const name = uniq('model-');
      const r = await call('POST', '/v1/models', {
        name,
        stage,
        description: 'test model',
        version: { version: '1.0.0', config: { threshold: 0.5, rules: ['a', 'b'] }, pricing: { per_call: 0.001 }, reason: 'first version' },
      });
      expect(r.status).toBe(201);
      const v2 = await call('POST', `/v1/models/${name}/versions`, {
        version: '1.1.0',
        config: { threshold: 0.7, rules: ['a'], new_knob: true },
        pricing: { per_call: 0.003 },
        reason: 'stricter threshold',
      });
      expect(v2.status).toBe(201);
      return { name, stage };
    }

    it('seeds the pipeline defaults, deployed for every tenant, and serves them as the pipeline config', async () => {
      const { body } = await call('GET', '/v1/models');
      const seeded = Object.fromEntries(body.models.map((m: Json) => [m.name, m]));
      expect(seeded['frostbyte-docparse']).toMatchObject({
        stage: 'parse',
        latest_version: '1.0.0',
        active: [{ tenant: '*', version: '1.0.0' }],
      });
      expect(seeded['frostbyte-hash-tfidf-256']).toMatchObject({ stage: 'embed', active: [{ tenant: '*', version: '1.0.0' }] });
      expect(seeded['nomic-embed-text']).toMatchObject({ stage: 'embed', active: [{ tenant: '*', version: 'v1.5' }] });
      expect(seeded['frostbyte-policy']).toMatchObject({ stage: 'policy', active: [{ tenant: '*', version: '1.0.0' }] });

      const cfg = await call('GET', '/v1/pipeline/config?tenant=acme');
      expect(cfg.status).toBe(200);
      const byStage = Object.fromEntries(cfg.body.stages.map((x: Json) => [x.stage, x]));
      expect(byStage.parse.active).toMatchObject({
        model_name: 'frostbyte-docparse',
        version: '1.0.0',
        scope: 'all',
        config: { delay_ms: 0 },
      });
      expect(byStage.embed.active.model_name).toBe('frostbyte-hash-tfidf-256'); // local is primary by default
      expect(byStage.embed.models.map((m: Json) => m.model_name)).toEqual(['frostbyte-hash-tfidf-256', 'nomic-embed-text']);
      expect(byStage.policy.active.pricing).toEqual({ per_call: 0.00001 });
      expect(cfg.body.stages.map((x: Json) => x.stage).slice(0, 5)).toEqual(['ingest', 'parse', 'embed', 'policy', 'output']);
      // Unchanged configuration: a cheap 304 for the polling pipeline.
      const again = await call('GET', '/v1/pipeline/config?tenant=acme', undefined, { 'if-none-match': cfg.headers.get('etag') as string });
      expect(again.status).toBe(304);
    });

    it('registers models and versions; refuses duplicates, unknown models and versions of another stage', async () => {
      const { name, stage } = await model();
      const versions = await call('GET', `/v1/models/${name}/versions`);
      expect(versions.body.versions.map((v: Json) => [v.version, v.stage, v.pricing.per_call, v.reason])).toEqual([
        ['1.0.0', stage, 0.001, 'first version'],
        ['1.1.0', stage, 0.003, 'stricter threshold'],
      ]);
      expect(versions.body.versions[0].created_by).toEqual(expect.any(String));
      const dup = await call('POST', `/v1/models/${name}/versions`, { version: '1.1.0', reason: 'again' });
      expect(dup.status).toBe(409);
      expect(dup.body.message).toMatch(/already registered; versions are immutable/);
      const other = await call('POST', `/v1/models/${name}/versions`, { version: '2.0.0', stage: 'embed', reason: 'wrong stage' });
      expect(other.status).toBe(409);
      expect(other.body.message).toMatch(/is a .* model; a version of it cannot be for stage embed/);
      expect((await call('POST', `/v1/models/${uniq('nope-')}/versions`, { version: '1', reason: 'no model' })).status).toBe(404);
      expect((await call('POST', '/v1/models', { name, stage, reason: 'x' })).status).toBe(400); // unknown property
      expect((await call('POST', '/v1/models', { name, stage })).status).toBe(409);
      expect((await call('POST', `/v1/models/${name}/versions`, { version: 'bad version!', reason: 'spaces' })).status).toBe(400);
    });

    it("diffs two versions' configuration and prices", async () => {
      const { name } = await model();
      const d = await call('GET', `/v1/models/${name}/versions/1.0.0/diff/1.1.0`);
      expect(d.status).toBe(200);
      expect(d.body.entries).toEqual([
        { path: '/new_knob', op: 'added', after: true },
        { path: '/rules/1', op: 'removed', before: 'b' },
        { path: '/threshold', op: 'changed', before: 0.5, after: 0.7 },
      ]);
      expect([d.body.added, d.body.removed, d.body.changed, d.body.identical]).toEqual([1, 1, 1, false]);
      expect(d.body.pricing).toEqual([{ path: '/per_call', op: 'changed', before: 0.001, after: 0.003 }]);
      expect(d.body.metrics.from.version).toBe('1.0.0');
      const missing = await call('GET', `/v1/models/${name}/versions/1.0.0/diff/9.9.9`);
      expect(missing.status).toBe(404);
      expect(missing.body.message).toBe(`model '${name}' has no version '9.9.9'; registered versions: 1.0.0, 1.1.0`);
    });

    it('deploys for all tenants or some, with optimistic concurrency; conflicting deploys are 409, unknown versions 404', async () => {
      const { name, stage } = await model();
      const first = await call('POST', `/v1/models/${name}/deployments`, {
        version: '1.0.0',
        reason: 'first rollout',
        expected_current_version: null,
      });
      expect(first.status).toBe(201);
      expect(first.body).toMatchObject({ kind: 'deploy', from_version: null, to_version: '1.0.0', tenants: null, stage });

      // A version of another stage / a deploy naming the wrong stage.
      const wrongStage = await call('POST', `/v1/models/${name}/deployments`, { version: '1.1.0', stage: 'parse', reason: 'wrong stage' });
      expect(wrongStage.status).toBe(409);
      expect(wrongStage.body.message).toMatch(new RegExp(`it is a ${stage} model`));
      // Unknown version.
      const unknown = await call('POST', `/v1/models/${name}/deployments`, { version: '7.0.0', reason: 'typo' });
      expect(unknown.status).toBe(404);
      expect(unknown.body.message).toMatch(/has no version '7.0.0'; registered versions: 1.0.0, 1.1.0/);
      // Already active.
      expect((await call('POST', `/v1/models/${name}/deployments`, { version: '1.0.0', reason: 'again' })).status).toBe(409);

      // Two people deploy at once, both having seen 1.0.0: exactly one wins.
      const [a, b] = await Promise.all([
        call('POST', `/v1/models/${name}/deployments`, { version: '1.1.0', reason: 'alice deploys', expected_current_version: '1.0.0' }),
        call('POST', `/v1/models/${name}/deployments`, { version: '1.1.0', reason: 'bob deploys', expected_current_version: '1.0.0' }),
      ]);
      expect([a.status, b.status].sort()).toEqual([201, 409]);
      const loser = a.status === 409 ? a : b;
      expect(loser.body.message).toMatch(/the active version of .* for all tenants is 1.1.0, not 1.0.0: it changed since you looked/);
      // A stale expectation is refused and changes nothing.
      const stale = await call('POST', `/v1/models/${name}/deployments`, {
        version: '1.0.0',
        reason: 'stale view',
        expected_current_version: '1.0.0',
      });
      expect(stale.status).toBe(409);

      // One tenant back on 1.0.0; the pipeline config tells that tenant, and only it.
      const t = uniq('t');
      const pin = await call('POST', `/v1/models/${name}/deployments`, {
        version: '1.0.0',
        tenants: [t],
        reason: 'pin one tenant',
        expected_current_version: '1.1.0',
      });
      expect(pin.status).toBe(201);
      expect(pin.body).toMatchObject({ from_version: '1.1.0', tenants: [t], from_by_tenant: { [t]: '1.1.0' } });
      const forT = (await call('GET', `/v1/pipeline/config?tenant=${t}`)).body.stages.find((x: Json) => x.stage === stage);
      const forOthers = (await call('GET', `/v1/pipeline/config?tenant=${uniq('t')}`)).body.stages.find((x: Json) => x.stage === stage);
      expect(forT.active).toMatchObject({ version: '1.0.0', scope: 'tenant', config: { threshold: 0.5 } });
      expect(forOthers.active).toMatchObject({ version: '1.1.0', scope: 'all', config: { threshold: 0.7 } });
      const m = await call('GET', `/v1/models/${name}`);
      expect(m.body.active.map((x: Json) => [x.tenant, x.version])).toEqual([
        ['*', '1.1.0'],
        [t, '1.0.0'],
      ]);

      const history = await call('GET', `/v1/models/${name}/deployments`);
      expect(history.body.deployments.map((d: Json) => [d.kind, d.from_version, d.to_version])).toEqual([
        ['deploy', '1.1.0', '1.0.0'],
        ['deploy', '1.0.0', '1.1.0'],
        ['deploy', null, '1.0.0'],
      ]);
    });

    it('previews a rollback from real events, then rolls back; a rollback to a version that does not exist is 404', async () => {
      const { name, stage } = await model();
      const tenant = uniq('t');
      await call('POST', `/v1/models/${name}/deployments`, { version: '1.0.0', reason: 'initial' });
      // 1.0.0's history: 40 calls three hours ago, 4 failed.
      const oldDurations = Array.from({ length: 40 }, (_, i) => 100 + i);
      const old = oldDurations.map((d, i) =>
        makeEvent({
          tenant_id: tenant,
          stage,
          model_name: name,
          model_version: '1.0.0',
          timestamp: ago(3 * 3600_000 - i * 1000),
          duration_ms: d,
          status: i % 10 === 0 ? 'failed' : 'completed',
          input_tokens: 100,
        }),
      );
      const dep = await call('POST', `/v1/models/${name}/deployments`, {
        version: '1.1.0',
        reason: 'new threshold',
        expected_current_version: '1.0.0',
      });
      expect(dep.status).toBe(201);
      // 1.1.0 since: 60 calls in the last minutes, 15 failed, slower; and 3 still in flight.
      const newDurations = Array.from({ length: 60 }, (_, i) => 200 + 3 * i);
      const cur = newDurations.map((d, i) =>
        makeEvent({
          tenant_id: tenant,
          stage,
          model_name: name,
          model_version: '1.1.0',
          timestamp: ago(50_000 - i * 500),
          duration_ms: d,
          status: i % 4 === 0 ? 'failed' : 'completed',
          input_tokens: 100,
        }),
      );
      const started = Array.from({ length: 3 }, () =>
        makeEvent({ tenant_id: tenant, stage, model_name: name, model_version: '1.1.0', status: 'started', duration_ms: null }),
      );
      for (const batch of [old, cur, started]) expect((await postEvents(s.url, batch)).status).toBe(202);

      const preview = await until(
        async () => (await call('POST', `/v1/models/${name}/rollback/preview`, {})).body,
        (p: Json) => p.current?.calls === 60 && p.target?.calls === 40 && p.in_flight?.count === 3,
        15_000,
        100,
      );
      expect(preview).toMatchObject({
        model_name: name,
        stage,
        current_version: '1.1.0',
        target_version: '1.0.0',
        target_was_deployed: true,
        expected_current_version: '1.1.0',
      });
      expect(preview.running).toEqual([{ stage, tenant: '*', version: '1.1.0' }]);
      expect(preview.tenants_seen).toEqual([tenant]);
      expect(preview.current.error_rate).toBeCloseTo(15 / 60, 9);
      expect(preview.target.error_rate).toBeCloseTo(4 / 40, 9);
      expect(preview.delta.error_rate).toBeCloseTo(4 / 40 - 15 / 60, 9);
      const completedNew = newDurations.filter((_, i) => i % 4 !== 0);
      const completedOld = oldDurations.filter((_, i) => i % 10 !== 0);
      expect(preview.current.p95_ms).toBeCloseTo(percentileCont(completedNew, 0.95), 6);
      expect(preview.target.p95_ms).toBeCloseTo(percentileCont(completedOld, 0.95), 6);
      expect(preview.delta.p95_ms).toBeCloseTo(percentileCont(completedOld, 0.95) - percentileCont(completedNew, 0.95), 6);
      // Prices are the server's: 1.1.0 costs $0.003 a call, 1.0.0 $0.001.
      expect(preview.current.cost_usd).toBeCloseTo(60 * 0.003, 9);
      expect(preview.target.cost_usd).toBeCloseTo(40 * 0.001, 9);
      expect(preview.expected_cost_change.per_call_delta_usd).toBeCloseTo(-0.002, 9);
      expect(preview.expected_cost_change.target_cost_source).toBe('history');
      expect(preview.expected_cost_change.per_hour_usd).toBeCloseTo(-0.002 * preview.expected_cost_change.current_calls_per_hour, 9);
      expect(preview.expected_cost_change.current_calls_per_hour).toBeGreaterThan(0);
      expect(preview.in_flight.invocation_ids.sort()).toEqual(started.map((e) => e.invocation_id).sort());
      expect(preview.in_flight.by_tenant).toEqual({ [tenant]: 3 });
      expect(preview.warnings).toContain('3 invocation(s) in flight will finish on 1.1.0');

      const missing = await call('POST', `/v1/models/${name}/rollback`, {
        to_version: '0.9.0',
        reason: 'roll back to something old',
        expected_current_version: '1.1.0',
      });
      expect(missing.status).toBe(404);
      expect(missing.body.message).toBe(`model '${name}' has no version '0.9.0'; registered versions: 1.0.0, 1.1.0`);
      const missingPreview = await call('POST', `/v1/models/${name}/rollback/preview`, { to_version: '0.9.0' });
      expect(missingPreview.status).toBe(404);
      const stale = await call('POST', `/v1/models/${name}/rollback`, {
        to_version: '1.0.0',
        reason: 'stale',
        expected_current_version: '1.0.0',
      });
      expect(stale.status).toBe(409);

      const rb = await call('POST', `/v1/models/${name}/rollback`, {
        to_version: preview.target_version,
        reason: 'error rate doubled',
        expected_current_version: preview.expected_current_version,
      });
      expect(rb.status).toBe(201);
      expect(rb.body).toMatchObject({ kind: 'rollback', from_version: '1.1.0', to_version: '1.0.0', reason: 'error rate doubled' });
      const cfg = (await call('GET', `/v1/pipeline/config?tenant=${tenant}`)).body.stages.find((x: Json) => x.stage === stage);
      expect(cfg.active).toMatchObject({ model_name: name, version: '1.0.0', config: { threshold: 0.5 } });
      // Nothing earlier than 1.0.0 was ever deployed: no default target now.
      expect((await call('POST', `/v1/models/${name}/rollback/preview`, {})).status).toBe(409);
    });

    it('merges versions, config changes, deployments, rollbacks and experiments into one time-ordered timeline', async () => {
      const { name, stage } = await model();
      await call('POST', `/v1/models/${name}/deployments`, { version: '1.0.0', reason: 'initial' });
      await call('POST', `/v1/models/${name}/deployments`, { version: '1.1.0', reason: 'upgrade' });
      await call('POST', `/v1/models/${name}/rollback`, { to_version: '1.0.0', reason: 'bad upgrade' });
      const ex = await call('POST', '/v1/experiments', {
        name: 'retry 1.1',
        stage,
        treatment: { model_name: name, version: '1.1.0' },
        treatment_percent: 10,
        reason: 'try again on 10%',
      });
      expect(ex.status).toBe(201);
      await call('POST', `/v1/experiments/${ex.body.experiment.id}/stop`, { reason: 'enough' });
      const t = await call('GET', `/v1/models/${name}/timeline`);
      expect(t.status).toBe(200);
      expect(t.body.items.map((i: Json) => [i.kind, i.version])).toEqual([
        ['version_registered', '1.0.0'],
        ['version_registered', '1.1.0'],
        ['config_change', '1.1.0'],
        ['deploy', '1.0.0'],
        ['deploy', '1.1.0'],
        ['rollback', '1.0.0'],
        ['experiment_started', '1.1.0'],
        ['traffic_split', '1.1.0'],
        ['experiment_stopped', null],
      ]);
      const at = t.body.items.map((i: Json) => i.at);
      expect([...at].sort()).toEqual(at);
      expect(t.body.items[2].summary).toBe('configuration 1.0.0 → 1.1.0: 1 changed, 1 added, 1 removed; pricing changed (per_call)');
      expect(t.body.items[5].summary).toBe('rolled back 1.1.0 → 1.0.0 for all tenants');
      expect((await call('GET', `/v1/models/${uniq('nope-')}/timeline`)).status).toBe(404);
    });

    it("shows a tenant what concerns its own tenants only: never another tenant's name, deployment, reason or experiment", async () => {
      const { name, stage } = await model();
      const [A, B] = [uniq('ta'), uniq('tb')];
      await call('POST', `/v1/models/${name}/deployments`, { version: '1.0.0', reason: 'everyone' });
      const forB = await call('POST', `/v1/models/${name}/deployments`, { version: '1.1.0', tenants: [B], reason: `secret-of-${B}` });
      expect(forB.status).toBe(201);
      const forBoth = await call('POST', `/v1/models/${name}/rollback`, { to_version: '1.0.0', tenants: [A, B], reason: 'both back' });
      expect(forBoth.status).toBe(201);
      const ex = await call('POST', '/v1/experiments', {
        name: `exp-${B}`,
        stage,
        treatment: { model_name: name, version: '1.1.0' },
        treatment_percent: 10,
        tenants: [B],
        reason: `trial-of-${B}`,
      });
      expect(ex.status).toBe(201);

      const tokenA = (await userToken(s.url, 'ml_engineer', [A])).token;
      const asA = (path: string) => call('GET', path, undefined, { authorization: `Bearer ${tokenA}` });
      const bodies: Record<string, Json> = {};
      for (const path of [
        '/v1/models',
        `/v1/models/${name}`,
        `/v1/models/${name}/versions`,
        `/v1/models/${name}/deployments`,
        `/v1/models/${name}/timeline`,
        `/v1/experiments?stage=${stage}`,
      ]) {
        const r = await asA(path);
        expect(r.status, path).toBe(200);
        expect(JSON.stringify(r.body), path).not.toContain(B);
        bodies[path] = r.body;
      }
      // What A may see is there: the all-tenants deploy and the rollback, naming A alone.
      expect(bodies[`/v1/models/${name}/deployments`].deployments.map((d: Json) => [d.kind, d.to_version, d.tenants])).toEqual([
        ['rollback', '1.0.0', [A]],
        ['deploy', '1.0.0', null],
      ]);
      expect(bodies[`/v1/models/${name}/timeline`].items.map((i: Json) => i.kind)).toEqual([
        'version_registered',
        'version_registered',
        'config_change',
        'deploy',
        'rollback',
      ]);
      expect(bodies[`/v1/experiments?stage=${stage}`].experiments).toEqual([]);
      expect((await asA(`/v1/experiments/${ex.body.experiment.id}`)).status).toBe(404);
      expect((await asA(`/v1/experiments/${ex.body.experiment.id}/results`)).status).toBe(404);
      // The admin sees all of it.
      const all = await call('GET', `/v1/models/${name}/deployments`);
      expect(all.body.deployments.map((d: Json) => [d.kind, d.tenants])).toEqual([
        ['traffic_split', [B]],
        ['rollback', [A, B]],
        ['deploy', [B]],
        ['deploy', null],
      ]);
    });

    it('checks ids and bodies: 400 with what to fix', async () => {
      expect((await call('GET', '/v1/experiments/not-a-uuid/results')).status).toBe(400);
      expect((await call('GET', `/v1/experiments/${newId()}/results`)).status).toBe(404);
      const r = await call('POST', '/v1/experiments', {
        name: 'x',
        stage: 'parse',
        treatment: { model_name: 'frostbyte-docparse', version: '1.0.0' },
        treatment_percent: 150,
        reason: 'bad',
      });
      expect(r.status).toBe(400);
      expect(r.body.message).toMatch(/treatment_percent/);
    });
  });
}
