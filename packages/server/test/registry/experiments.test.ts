import { experimentVariant } from '@frostbyte/contracts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { twoProportionZTest, welchTTest } from '../../src/registry/stats-math.ts';
import { makeEvent, postEvents, startServer, uniq, until } from '../helper.ts';
import { api, type Json, percentileCont } from './api.ts';

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
const variance = (xs: number[]) => {
  const m = mean(xs);
  return xs.reduce((a, b) => a + (b - m) ** 2, 0) / (xs.length - 1);
};

describe('A/B experiments (embedded)', () => {
  let s: Awaited<ReturnType<typeof startServer>>;
  let call: ReturnType<typeof api>;
  beforeAll(async () => {
    s = await startServer('embedded', { alertEvaluateMs: 0 });
    call = api(s.url);
  }, 60_000);
  afterAll(() => s?.close());

  async function model() {
    const stage = uniq('stage');
    const name = uniq('policy-');
    await call('POST', '/v1/models', {
      name,
      stage,
      version: { version: '1.0.0', config: { t: 1 }, pricing: { per_call: 0.001 }, reason: 'baseline rules' },
    });
    await call('POST', `/v1/models/${name}/versions`, {
      version: '1.1.0',
      config: { t: 2 },
      pricing: { per_call: 0.003 },
      reason: 'new rules',
    });
    expect((await call('POST', `/v1/models/${name}/deployments`, { version: '1.0.0', reason: 'initial' })).status).toBe(201);
    return { name, stage };
  }

  it('splits documents stickily, measures each variant, tests significance, and promotes the winner', async () => {
    const { name, stage } = await model();
    const tenant = uniq('t');
    const created = await call('POST', '/v1/experiments', {
      name: 'new rules',
      stage,
      treatment: { model_name: name, version: '1.1.0' },
      treatment_percent: 50,
      reason: 'are the new rules better?',
    });
    expect(created.status).toBe(201);
    const ex = created.body.experiment;
    expect(ex).toMatchObject({
      state: 'running',
      control: { model_name: name, version: '1.0.0' },
      treatment: { version: '1.1.0' },
      treatment_percent: 50,
    });
    expect(created.body.deployment).toMatchObject({ kind: 'traffic_split', to_version: '1.1.0', experiment_id: ex.id });

    // One running experiment per stage, and no plain deploy under it.
    expect(
      (
        await call('POST', '/v1/experiments', {
          name: 'again',
          stage,
          treatment: { model_name: name, version: '1.1.0' },
          treatment_percent: 5,
          reason: 'second one',
        })
      ).status,
    ).toBe(409);
    const blocked = await call('POST', `/v1/models/${name}/deployments`, { version: '1.1.0', reason: 'sneaky deploy' });
    expect(blocked.status).toBe(409);
    expect(blocked.body.message).toMatch(/is splitting traffic on stage .*; stop or promote it before deploying/);

    // What the pipeline sees: both variants with their configuration and the rule.
    const cfg = (await call('GET', `/v1/pipeline/config?tenant=${tenant}`)).body.stages.find((x: Json) => x.stage === stage);
    expect(cfg.experiment).toMatchObject({
      id: ex.id,
      treatment_percent: 50,
      control: { version: '1.0.0', config: { t: 1 } },
      treatment: { version: '1.1.0', config: { t: 2 } },
    });

    // 300 documents, each routed by the shared rule; the same document always gets the same variant.
    const docs = Array.from({ length: 300 }, (_, i) => `doc-${uniq('')}-${i}`);
    const variantOf = new Map(docs.map((d) => [d, experimentVariant(ex.id, d, 50)]));
    for (const d of docs.slice(0, 50)) expect(experimentVariant(ex.id, d, 50)).toBe(variantOf.get(d));
    const control = docs.filter((d) => variantOf.get(d) === 'control');
    const treatment = docs.filter((d) => variantOf.get(d) === 'treatment');
    expect(control.length).toBeGreaterThan(110);
    expect(treatment.length).toBeGreaterThan(110);

    // Control: 5 % errors, ~100 ms, confident; treatment: 20 % errors, ~80 ms, unsure.
    const cDur: number[] = [];
    const tDur: number[] = [];
    const events = docs.map((d, i) => {
      const isT = variantOf.get(d) === 'treatment';
      const failed = isT ? i % 5 === 0 : i % 20 === 0;
      const duration = (isT ? 80 : 100) + ((i * 7) % 21) - 10;
      if (!failed) (isT ? tDur : cDur).push(duration);
      return makeEvent({
        tenant_id: tenant,
        document_id: d,
        stage,
        model_name: name,
        model_version: isT ? '1.1.0' : '1.0.0',
        duration_ms: duration,
        status: failed ? 'failed' : 'completed',
        trace: { confidence_score: isT ? 0.55 : 0.85 },
        metadata: { decision: { classification: i % 3 === 0 ? 'restricted' : 'internal' } },
      });
    });
    // 20 treatment documents (decided: completed) were decided by the control before (reprocessing): 15 the same way.
    const before = new Date(Date.parse(ex.started_at) - 60_000).toISOString();
    const completed = new Set(events.filter((e) => e.status === 'completed').map((e) => e.document_id));
    const revisited = treatment
      .filter((d) => completed.has(d))
      .slice(0, 20)
      .map((d, k) => {
        const i = docs.indexOf(d);
        const same = { classification: i % 3 === 0 ? 'restricted' : 'internal' };
        return makeEvent({
          tenant_id: tenant,
          document_id: d,
          stage,
          model_name: name,
          model_version: '1.0.0',
          timestamp: before,
          metadata: { decision: k < 15 ? same : { classification: 'confidential' } },
        });
      });
    for (let i = 0; i < events.length; i += 100) expect((await postEvents(s.url, events.slice(i, i + 100))).status).toBe(202);
    expect((await postEvents(s.url, revisited)).status).toBe(202);

    const r = await until(
      async () => (await call('GET', `/v1/experiments/${ex.id}/results`)).body,
      (b: Json) => b.variants?.[0]?.calls + b.variants?.[1]?.calls === 300,
      15_000,
      100,
    );
    const [c, t] = r.variants;
    const cErr = events.filter((e) => e.model_version === '1.0.0' && e.status === 'failed').length;
    const tErr = events.filter((e) => e.model_version === '1.1.0' && e.status === 'failed').length;
    expect([c.variant, c.calls, c.errors, c.documents]).toEqual(['control', control.length, cErr, control.length]);
    expect([t.variant, t.calls, t.errors, t.documents]).toEqual(['treatment', treatment.length, tErr, treatment.length]);
    expect(c.p50_ms).toBeCloseTo(percentileCont(cDur, 0.5), 6);
    expect(t.p95_ms).toBeCloseTo(percentileCont(tDur, 0.95), 6);
    expect(c.cost_per_document_usd).toBeCloseTo(0.001, 9);
    expect(t.cost_per_document_usd).toBeCloseTo(0.003, 9);
    expect(c.confidence.buckets[8].count).toBe(control.length);
    expect(t.confidence.buckets[5].count).toBe(treatment.length);
    expect(c.confidence.buckets).toHaveLength(10);

    const z = twoProportionZTest(cErr, control.length, tErr, treatment.length);
    expect(r.significance.error_rate.p_value).toBeCloseTo(z.p_value as number, 9);
    expect(r.significance.error_rate).toMatchObject({ significant: true, better: 'control' });
    const w = welchTTest(mean(cDur), variance(cDur), cDur.length, mean(tDur), variance(tDur), tDur.length);
    expect(r.significance.latency.p_value).toBeCloseTo(w.p_value as number, 9);
    expect(r.significance.latency).toMatchObject({ significant: true, better: 'treatment' });
    expect(r.significance.latency.p_value).toBeLessThan(1e-6);
    // Reliability first: the control's lower error rate wins over the treatment's speed.
    expect(r.recommendation.winner).toBe('control');
    expect(r.agreement).toMatchObject({ compared_documents: 20, agreeing: 15, rate: 0.75 });
    expect(r.agreement.disagreements).toHaveLength(5);
    expect(r.agreement.disagreements[0].control).toEqual({ classification: 'confidential' });

    // Promote the treatment anyway (a named variant): it is deployed and the split ends.
    const p = await call('POST', `/v1/experiments/${ex.id}/promote`, { variant: 'treatment', reason: 'faster, errors fixed in config' });
    expect(p.status).toBe(200);
    expect(p.body.experiment).toMatchObject({ state: 'promoted', winner: 'treatment' });
    expect(p.body.deployment).toMatchObject({ kind: 'deploy', from_version: '1.0.0', to_version: '1.1.0', experiment_id: ex.id });
    const after = (await call('GET', `/v1/pipeline/config?tenant=${tenant}`)).body.stages.find((x: Json) => x.stage === stage);
    expect(after.experiment).toBeNull();
    expect(after.active.version).toBe('1.1.0');
    expect((await call('POST', `/v1/experiments/${ex.id}/stop`, { reason: 'already over' })).status).toBe(409);
  });

  it('promotes the significant winner when none is named (here the control: only the experiment ends), and stops', async () => {
    const { name, stage } = await model();
    const ex = (
      await call('POST', '/v1/experiments', {
        name: 'x',
        stage,
        treatment: { model_name: name, version: '1.1.0' },
        treatment_percent: 30,
        reason: 'try',
      })
    ).body.experiment;
    const none = await call('POST', `/v1/experiments/${ex.id}/promote`, { reason: 'no data yet' });
    expect(none.status).toBe(409);
    expect(none.body.message).toMatch(/no significant winner yet/);
    const tenant = uniq('t');
    const events = Array.from({ length: 200 }, (_, i) => {
      const d = `d-${uniq('')}`;
      const isT = experimentVariant(ex.id, d, 30) === 'treatment';
      return makeEvent({
        tenant_id: tenant,
        document_id: d,
        stage,
        model_name: name,
        model_version: isT ? '1.1.0' : '1.0.0',
        status: isT && i % 2 === 0 ? 'failed' : 'completed',
      });
    });
    await postEvents(s.url, events);
    await until(
      async () => (await call('GET', `/v1/experiments/${ex.id}/results`)).body.recommendation.winner,
      (w) => w === 'control',
      10_000,
      100,
    );
    const p = await call('POST', `/v1/experiments/${ex.id}/promote`, { reason: 'control is more reliable' });
    expect(p.status).toBe(200);
    expect(p.body).toMatchObject({ experiment: { state: 'promoted', winner: 'control' }, deployment: null });

    const ex2 = (
      await call('POST', '/v1/experiments', {
        name: 'y',
        stage,
        treatment: { model_name: name, version: '1.1.0' },
        treatment_percent: 10,
        reason: 'again',
      })
    ).body.experiment;
    const stopped = await call('POST', `/v1/experiments/${ex2.id}/stop`, { reason: 'changed our mind' });
    expect(stopped.body).toMatchObject({ state: 'stopped', end_reason: 'changed our mind' });
    const list = await call('GET', `/v1/experiments?stage=${stage}`);
    expect(list.body.experiments.map((e: Json) => e.state)).toEqual(['stopped', 'promoted']);
  });

  it('refuses variants of another stage, unknown versions and identical variants', async () => {
    const { name, stage } = await model();
    const other = await call('POST', '/v1/experiments', {
      name: 'x',
      stage: 'parse',
      control: { model_name: 'frostbyte-docparse', version: '1.0.0' },
      treatment: { model_name: name, version: '1.1.0' },
      treatment_percent: 10,
      reason: 'mixed stages',
    });
    expect(other.status).toBe(409);
    expect(other.body.message).toMatch(/treatment: '.*' is a .* model, not parse/);
    const missing = await call('POST', '/v1/experiments', {
      name: 'x',
      stage,
      treatment: { model_name: name, version: '3.0.0' },
      treatment_percent: 10,
      reason: 'no such version',
    });
    expect(missing.status).toBe(404);
    const same = await call('POST', '/v1/experiments', {
      name: 'x',
      stage,
      treatment: { model_name: name, version: '1.0.0' },
      treatment_percent: 10,
      reason: 'same',
    });
    expect(same.status).toBe(400);
  });
});
