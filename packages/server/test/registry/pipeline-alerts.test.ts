import http from 'node:http';
import { EventSource } from 'eventsource';
import { afterEach, describe, expect, it } from 'vitest';
import { fetch, makeEvent, postEvents, startServer, uniq, until } from '../helper.ts';
import { userToken } from '../security/support.ts';
import { api, type Json } from './api.ts';

const ago = (ms: number) => new Date(Date.now() - ms).toISOString();
const STAGES = [
  { stage: 'parse', model_name: 'frostbyte-docparse', model_version: '1.0.0', operation: 'extract_text', ms: 30 },
  { stage: 'embed', model_name: 'frostbyte-hash-tfidf-256', model_version: '1.0.0', operation: 'embeddings', ms: 300 },
  { stage: 'policy', model_name: 'frostbyte-policy', model_version: '1.0.0', operation: 'classify', ms: 20 },
];

/** Documents through parse → embed → policy: `n` of them ending `atMs` ago, each stage
 * taking its usual time unless `slow` says otherwise. */
function run(tenant: string, n: number, atMs: number, slow: Record<string, number> = {}) {
  return Array.from({ length: n }, (_, i) => {
    const doc = `doc-${uniq('')}`;
    return STAGES.map(({ ms, ...s }) =>
      makeEvent({ tenant_id: tenant, document_id: doc, ...s, duration_ms: slow[s.stage] ?? ms, timestamp: ago(atMs + i * 1000) }),
    );
  }).flat();
}

/** A webhook receiver: collects what the observatory POSTs. */
async function webhookReceiver() {
  const got: Json[] = [];
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      got.push(JSON.parse(body));
      res.end('ok');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const addr = server.address() as { port: number };
  return { url: `http://127.0.0.1:${addr.port}/hook`, got, close: () => new Promise((r) => server.close(r)) };
}

function alertStream(url: string) {
  const got: Json[] = [];
  const es = new EventSource(`${url}/telemetry/stream`, { fetch }); // the admin's: every alert
  es.addEventListener('alert', (m) => got.push(JSON.parse(m.data).alert));
  const opened = new Promise<void>((r) => es.addEventListener('open', () => r()));
  return { es, got, opened };
}

describe('pipeline status, bottleneck detection and alerts', () => {
  const closers: (() => Promise<unknown> | unknown)[] = [];
  afterEach(async () => {
    for (const c of closers.splice(0).reverse()) await c();
  });

  it('shows each stage with its model, status and p95, and names a slowed stage as the bottleneck with its reason', async () => {
    const s = await startServer('embedded', { alertEvaluateMs: 0 });
    closers.push(() => s.close());
    const call = api(s.url);
    const tenant = uniq('t');
    await postEvents(s.url, run(tenant, 20, 30 * 60_000)); // baseline, half an hour ago
    await postEvents(s.url, run(tenant, 10, 5_000)); // now: normal
    const calm = (await call('GET', `/v1/pipeline?tenant_id=${tenant}`)).body;
    expect(calm.stages.map((x: Json) => x.stage)).toEqual(['ingest', 'parse', 'embed', 'policy', 'output']);
    const parse = calm.stages.find((x: Json) => x.stage === 'parse');
    expect(parse).toMatchObject({ status: 'processing', calls: 10, p95_ms: 30, baseline_p95_ms: 30, in_flight: 0 });
    expect(parse.models[0]).toMatchObject({
      model_name: 'frostbyte-docparse',
      version: '1.0.0',
      label: 'docparse 1.0',
      source: 'registry',
    });
    expect(calm.stages.find((x: Json) => x.stage === 'ingest')).toMatchObject({ status: 'idle', calls: 0 });
    // Embed is always the slowest here: named, but nothing is wrong.
    expect(calm.bottleneck).toMatchObject({ stage: 'embed', anomalous: false });
    expect(calm.bottleneck.reason).toBe('embed takes 86% of the end-to-end latency');
    expect(calm.edges).toEqual([
      { from: 'ingest', to: 'parse', flow_per_s: 10 / 60 },
      { from: 'parse', to: 'embed', flow_per_s: 10 / 60 },
      { from: 'embed', to: 'policy', flow_per_s: 10 / 60 },
      { from: 'policy', to: 'output', flow_per_s: 10 / 60 },
    ]);

    // Embed slows to 1.8 s, and a few calls hang in it.
    const other = uniq('t');
    await postEvents(s.url, run(other, 20, 30 * 60_000));
    await postEvents(s.url, run(other, 10, 5_000, { embed: 1800 }));
    const hung = Array.from({ length: 3 }, () =>
      makeEvent({ tenant_id: other, ...STAGES[1], ms: undefined, status: 'started', duration_ms: null } as never),
    );
    await postEvents(s.url, hung);
    const slow = (await call('GET', `/v1/pipeline?tenant_id=${other}`)).body;
    expect(slow.bottleneck).toMatchObject({ stage: 'embed', anomalous: true, p95_ms: 1800, baseline_p95_ms: 300, in_flight: 3 });
    expect(slow.bottleneck.reasons[0]).toBe('embed p95 1.8 s is 6× its 1 h baseline 300 ms');
    const embed = slow.stages.find((x: Json) => x.stage === 'embed');
    expect(embed).toMatchObject({ bottleneck: true, in_flight: 3, status: 'processing' });
    // The first tenant's view is its own.
    expect((await call('GET', `/v1/pipeline?tenant_id=${tenant}`)).body.bottleneck.anomalous).toBe(false);
  });

  it('alert lifecycle: opened once, pushed on SSE and to the webhook, acknowledged, resolved by hand or when the condition clears', async () => {
    const hook = await webhookReceiver();
    closers.push(() => hook.close());
    const s = await startServer('embedded', { alertEvaluateMs: 0, alertWebhookUrl: hook.url });
    closers.push(() => s.close());
    const call = api(s.url);
    const sse = alertStream(s.url);
    closers.push(() => sse.es.close());
    await sse.opened;
    const tenant = uniq('t');
    await postEvents(s.url, run(tenant, 20, 30 * 60_000));
    await postEvents(s.url, run(tenant, 10, 5_000, { embed: 1800 }));

    const first = await call('POST', '/v1/alerts/evaluate');
    expect(first.status).toBe(200);
    expect(first.body.alerts.map((a: Json) => [a.rule, a.stage, a.state, a.severity]).sort()).toEqual([
      ['bottleneck', 'embed', 'open', 'warning'],
      ['latency_p95', 'embed', 'open', 'critical'],
    ]);
    const latency = first.body.alerts.find((a: Json) => a.rule === 'latency_p95');
    expect(latency.message).toBe('embed p95 1.8 s is 6× its 1 h baseline 300 ms');
    // Evaluating again (or a second process doing so) opens nothing new.
    await Promise.all([call('POST', '/v1/alerts/evaluate'), call('POST', '/v1/alerts/evaluate')]);
    expect((await call('GET', '/v1/alerts')).body.alerts).toHaveLength(2);

    await until(
      () => sse.got.length,
      (n) => n >= 2,
      5000,
    );
    expect(sse.got.map((a) => [a.rule, a.state]).sort()).toEqual([
      ['bottleneck', 'open'],
      ['latency_p95', 'open'],
    ]);
    await until(
      () => hook.got.length,
      (n) => n >= 2,
      5000,
    );
    expect(hook.got.map((h) => [h.type, h.transition, h.alert.rule]).sort()).toEqual([
      ['alert', 'opened', 'bottleneck'],
      ['alert', 'opened', 'latency_p95'],
    ]);

    const bottleneck = first.body.alerts.find((a: Json) => a.rule === 'bottleneck');
    const ack = await call('POST', `/v1/alerts/${bottleneck.id}/ack`, { note: 'looking at the embedder' });
    expect(ack.status).toBe(200);
    expect(ack.body).toMatchObject({
      state: 'acknowledged',
      details: { ack_note: 'looking at the embedder', acknowledged_by: expect.any(String) },
    });
    expect((await call('POST', `/v1/alerts/${bottleneck.id}/ack`)).status).toBe(409);
    const resolved = await call('POST', `/v1/alerts/${latency.id}/resolve`, { note: 'known, new model warming up' });
    expect(resolved.body.state).toBe('resolved');
    await until(
      () => sse.got.length,
      (n) => n >= 4,
      5000,
    );
    expect(sse.got.slice(2).map((a) => [a.rule, a.state])).toEqual([
      ['bottleneck', 'acknowledged'],
      ['latency_p95', 'resolved'],
    ]);

    // The embedder recovers: plenty of fast calls bring p95 back to its baseline.
    for (let k = 0; k < 3; k++) await postEvents(s.url, run(tenant, 100, 1_000));
    const after = await call('POST', '/v1/alerts/evaluate');
    expect(after.body.alerts).toEqual([]);
    const all = (await call('GET', '/v1/alerts?state=resolved')).body.alerts;
    expect(all.map((a: Json) => [a.rule, a.details.resolved_by]).sort()).toEqual([
      ['bottleneck', 'system (condition cleared)'],
      ['latency_p95', expect.any(String)],
    ]);
    await until(
      () => sse.got.length,
      (n) => n >= 5,
      5000,
    );
    expect(sse.got[4]).toMatchObject({ rule: 'bottleneck', state: 'resolved' });
    await until(
      () => hook.got.length,
      (n) => n >= 5,
      5000,
    );
    expect(hook.got.map((h) => h.transition)).toEqual(['opened', 'opened', 'acknowledged', 'resolved', 'resolved']);
  });

  it("a tenant's alerts come from its own traffic: it never sees another tenant's, nor the pipeline-wide ones", async () => {
    const s = await startServer('embedded', { alertEvaluateMs: 0 });
    closers.push(() => s.close());
    const admin = api(s.url);
    const [A, B] = [uniq('ta'), uniq('tb')];
    // A: half of its 20 parse calls fail. B: 60 healthy calls. Together: 10 of 80.
    await postEvents(s.url, [...run(A, 20, 30 * 60_000), ...run(B, 20, 30 * 60_000)]);
    const failed = Array.from({ length: 10 }, () =>
      makeEvent({ tenant_id: A, ...STAGES[0], ms: undefined, status: 'failed', duration_ms: 30, timestamp: ago(5_000) } as never),
    );
    await postEvents(s.url, [...run(A, 10, 5_000), ...failed, ...run(B, 60, 5_000)]);
    expect((await admin('POST', '/v1/alerts/evaluate')).status).toBe(200);

    const errorAlerts = (alerts: Json[]) =>
      alerts.filter((a) => a.rule === 'error_rate').map((a) => [a.tenant_id, a.severity, a.message.replace(/ in the last.*/, '')]);
    // Those who see every tenant get both views.
    const all = (await admin('GET', '/v1/alerts?state=active')).body.alerts;
    expect(errorAlerts(all).sort()).toEqual([
      [null, 'warning', 'parse error rate 13% (10 of 80 calls'],
      [A, 'critical', 'parse error rate 50% (10 of 20 calls'],
    ]);
    expect(all.some((a: Json) => a.tenant_id === B)).toBe(false);

    const tokenA = (await userToken(s.url, 'ml_engineer', [A])).token;
    const tokenB = (await userToken(s.url, 'ml_engineer', [B])).token;
    const as = (token: string) => (method: string, path: string) => admin(method, path, undefined, { authorization: `Bearer ${token}` });
    const mine = (await as(tokenA)('GET', '/v1/alerts?state=active')).body.alerts;
    expect(errorAlerts(mine)).toEqual([[A, 'critical', 'parse error rate 50% (10 of 20 calls']]);
    expect(mine.every((a: Json) => a.tenant_id === A)).toBe(true);
    expect((await as(tokenA)('GET', `/v1/alerts?tenant_id=${B}`)).body.alerts).toEqual([]);
    expect((await as(tokenB)('GET', '/v1/alerts?state=active')).body.alerts).toEqual([]);
    expect((await as(tokenB)('GET', '/v1/pipeline')).body.alerts).toEqual([]);
    expect((await as(tokenA)('GET', '/v1/pipeline')).body.alerts.map((a: Json) => a.tenant_id)).toEqual(mine.map(() => A));
    // The schematic of the whole pipeline shows the pipeline-wide alerts; of one tenant, that tenant's.
    expect(errorAlerts((await admin('GET', '/v1/pipeline')).body.alerts)).toEqual([[null, 'warning', 'parse error rate 13% (10 of 80 calls']]);
    expect(errorAlerts((await admin('GET', `/v1/pipeline?tenant_id=${A}`)).body.alerts)).toEqual([
      [A, 'critical', 'parse error rate 50% (10 of 20 calls'],
    ]);
    // Nor can B act on them: they do not exist for B.
    for (const a of all) expect((await as(tokenB)('POST', `/v1/alerts/${a.id}/ack`)).status).toBe(404);

    // Live: B's stream carries no alert when A's state changes; A's carries A's.
    const stream = (token: string) => {
      const got: Json[] = [];
      const es = new EventSource(`${s.url}/telemetry/stream?access_token=${encodeURIComponent(token)}`);
      es.addEventListener('alert', (m) => got.push(JSON.parse(m.data).alert));
      closers.push(() => es.close());
      return { got, opened: new Promise<void>((r) => es.addEventListener('open', () => r())) };
    };
    const [onA, onB, onAdmin] = [stream(tokenA), stream(tokenB), alertStream(s.url)];
    closers.push(() => onAdmin.es.close());
    await Promise.all([onA.opened, onB.opened, onAdmin.opened]);
    const aErr = all.find((a: Json) => a.rule === 'error_rate' && a.tenant_id === A);
    const pErr = all.find((a: Json) => a.rule === 'error_rate' && a.tenant_id === null);
    expect((await admin('POST', `/v1/alerts/${aErr.id}/ack`)).status).toBe(200);
    expect((await admin('POST', `/v1/alerts/${pErr.id}/ack`)).status).toBe(200);
    await until(() => onAdmin.got.length, (n) => n >= 2, 5000);
    await until(() => onA.got.length, (n) => n >= 1, 5000);
    expect(onA.got.map((a) => [a.id, a.state])).toEqual([[aErr.id, 'acknowledged']]);
    expect(onB.got).toEqual([]);
  });

  it('alert thresholds are changed through the API (every-tenant credentials only, audited) and judge the next evaluation', async () => {
    const s = await startServer('embedded', { alertEvaluateMs: 0 });
    closers.push(() => s.close());
    const admin = api(s.url);
    const initial = (await admin('GET', '/v1/alerts/rules')).body;
    expect(initial).toMatchObject({ updated_at: null, updated_by: null });
    expect(initial.rules).toEqual(initial.defaults);
    expect(initial.rules.error_rate_warning).toBe(0.1);

    // 2 of 40 parse calls fail: 5 %, under the default 10 %.
    const tenant = uniq('t');
    const failed = Array.from({ length: 2 }, () =>
      makeEvent({ tenant_id: tenant, ...STAGES[0], ms: undefined, status: 'failed', duration_ms: 30, timestamp: ago(5_000) } as never),
    );
    await postEvents(s.url, [...run(tenant, 38, 5_000), ...failed]);
    const errorRate = async () =>
      (await admin('POST', '/v1/alerts/evaluate')).body.alerts.filter((a: Json) => a.rule === 'error_rate').map((a: Json) => a.message);
    expect(await errorRate()).toEqual([]);

    const changed = await admin('PATCH', '/v1/alerts/rules', { error_rate_warning: 0.04 });
    expect(changed.status).toBe(200);
    expect(changed.body).toMatchObject({ rules: { error_rate_warning: 0.04, error_rate_critical: 0.5 }, updated_by: expect.any(String) });
    expect(changed.body.defaults.error_rate_warning).toBe(0.1);
    expect(await errorRate()).toEqual([expect.stringMatching(/^parse error rate 5% \(2 of 40 calls .* over the 4% threshold$/)]);

    // Bad changes are 400s that say what to fix, and change nothing.
    for (const [body, why] of [
      [{ error_rate_critical: 0.01 }, /error_rate_critical \(0.01\) must be at least error_rate_warning \(0.04\)/],
      [{ window_s: 5 }, /window_s/],
      [{ error_rate_warning: 2 }, /error_rate_warning/],
      [{ no_such_rule: 1 }, /no_such_rule|additional/i],
      [{}, /property|properties/i],
    ] as const) {
      const r = await admin('PATCH', '/v1/alerts/rules', body);
      expect([r.status, r.body.message]).toEqual([400, expect.stringMatching(why)]);
    }
    expect((await admin('GET', '/v1/alerts/rules')).body.rules.error_rate_warning).toBe(0.04);

    // One set of rules judges every tenant: a tenant's engineer may read them, not change them.
    const engineer = (await userToken(s.url, 'ml_engineer', [tenant])).token;
    const viewer = (await userToken(s.url, 'viewer', ['*'])).token;
    expect((await admin('GET', '/v1/alerts/rules', undefined, { authorization: `Bearer ${engineer}` })).status).toBe(200);
    expect((await admin('PATCH', '/v1/alerts/rules', { error_rate_warning: 0.5 }, { authorization: `Bearer ${engineer}` })).status).toBe(403);
    expect((await admin('PATCH', '/v1/alerts/rules', { error_rate_warning: 0.5 }, { authorization: `Bearer ${viewer}` })).status).toBe(403);

    const audit = (await admin('GET', '/v1/audit?action=alerts.rules.update')).body.entries;
    expect(audit).toHaveLength(1);
    expect(audit[0].details.changed).toEqual({ error_rate_warning: { from: 0.1, to: 0.04 } });

    // Back to the defaults: the alert's condition no longer holds, and it resolves.
    const reset = await admin('DELETE', '/v1/alerts/rules');
    expect(reset.body).toMatchObject({ updated_at: null, rules: { error_rate_warning: 0.1 } });
    expect(await errorRate()).toEqual([]);
    expect((await admin('GET', '/v1/audit?action=alerts.rules.reset')).body.entries[0].details.cleared).toEqual({ error_rate_warning: 0.04 });
  });

  it('reads the slow-moving baseline at most once per FMO_SLOW_FIGURES_MS, the recent window every time', async () => {
    const s = await startServer('embedded', { alertEvaluateMs: 0, slowFiguresMs: 60_000 });
    closers.push(() => s.close());
    const call = api(s.url);
    const tenant = uniq('t');
    const parse = async () => (await call('GET', `/v1/pipeline?tenant_id=${tenant}`)).body.stages.find((x: Json) => x.stage === 'parse');
    await postEvents(s.url, run(tenant, 10, 5_000));
    expect(await parse()).toMatchObject({ calls: 10, baseline_p95_ms: null });
    // A backfilled baseline shows after the cache's minute; new calls in the window at once.
    await postEvents(s.url, [...run(tenant, 20, 30 * 60_000), ...run(tenant, 5, 3_000)]);
    expect(await parse()).toMatchObject({ calls: 15, baseline_p95_ms: null });
    const other = await startServer('embedded', { alertEvaluateMs: 0 }); // the default of the tests: no cache
    closers.push(() => other.close());
    await postEvents(other.url, [...run(tenant, 10, 5_000), ...run(tenant, 20, 30 * 60_000)]);
    const fresh = (await api(other.url)('GET', `/v1/pipeline?tenant_id=${tenant}`)).body.stages.find((x: Json) => x.stage === 'parse');
    expect(fresh).toMatchObject({ calls: 10, baseline_p95_ms: 30 });
  }, 120_000); // starts its own embedded server: slow on a busy machine

  it('two server processes on one database open one alert, and each pushes it to its own SSE clients', async () => {
    const a = await startServer('server', { alertEvaluateMs: 0 });
    closers.push(() => a.close());
    const b = await startServer('server', { alertEvaluateMs: 0, databaseUrl: a.config.databaseUrl, redisPrefix: a.config.redisPrefix });
    closers.push(() => b.close({ keepData: true }));
    const onB = alertStream(b.url);
    closers.push(() => onB.es.close());
    await onB.opened;
    const tenant = uniq('t');
    await postEvents(a.url, run(tenant, 20, 30 * 60_000));
    await postEvents(a.url, run(tenant, 10, 5_000, { embed: 1800 }));
    const callA = api(a.url);
    await until(
      async () => (await callA('GET', `/v1/pipeline?tenant_id=${tenant}`)).body.bottleneck?.anomalous,
      (x) => x === true,
      15_000,
      100,
    );
    await Promise.all([
      callA('POST', '/v1/alerts/evaluate'),
      api(b.url)('POST', '/v1/alerts/evaluate'),
      callA('POST', '/v1/alerts/evaluate'),
    ]);
    const alerts = (await api(b.url)('GET', '/v1/alerts')).body.alerts;
    expect(alerts.map((x: Json) => x.rule).sort()).toEqual(['bottleneck', 'latency_p95']);
    await until(
      () => onB.got.length,
      (n) => n >= 2,
      5000,
    );
    await new Promise((r) => setTimeout(r, 1500));
    expect(onB.got.map((x) => x.rule).sort()).toEqual(['bottleneck', 'latency_p95']);
  }, 60_000);
});
