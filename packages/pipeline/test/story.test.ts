import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, tempDir } from '../../server/test/helper.ts';
import { type DemoHandle, startDemo } from '../src/demo.ts';
import { STORY_EMBEDDER, STORY_MODEL, type StoryReport } from '../src/story.ts';
import { authHeaders, closeServer, eventsOf, SERVER_START_TIMEOUT_MS, tokenOf, withAdminToken } from './support.ts';

/**
 * The demo's story (story.ts) against a real embedded server, with the real feeder and
 * pipeline and the server's own alert evaluator, on a compressed timeline: what the
 * dashboard shows after `npm start` is asserted here through the same API it reads.
 */
describe('the demo story (npm start)', { timeout: 180_000 }, () => {
  let server: Awaited<ReturnType<typeof startServer>>;
  let token: string | undefined;
  const run = randomBytes(3).toString('hex');
  const [acme, globex] = [`acme-${run}`, `globex-${run}`];
  let demo: DemoHandle | undefined;
  let report: StoryReport;
  const logs: string[] = [];

  const get = async <T>(path: string): Promise<T> => {
    const res = await fetch(`${server.url}${path}`, { headers: authHeaders(token) });
    if (!res.ok) throw new Error(`GET ${path} ${res.status}: ${await res.text()}`);
    return (await res.json()) as T;
  };

  beforeAll(async () => {
    // The evaluator as in production, only more often (5 s there): nothing here evaluates by hand.
    server = await startServer('embedded', { ...withAdminToken(), alertEvaluateMs: 500 });
    token = tokenOf(server);
    const started = Date.now();
    demo = await startDemo({
      endpoint: server.url,
      apiKey: token,
      tenants: [acme, globex],
      log: { info: (m) => logs.push(m), warn: (m) => logs.push(`WARN ${m}`) },
      intervalMs: [80, 160],
      spoolDir: tempDir('fmo-story-spool-'),
      outputDir: tempDir('fmo-story-out-'),
      retryDelayMs: 300,
      story: {
        startMs: 500,
        experimentMs: 2_000,
        gatewayAtMs: 500,
        outageAtMs: 2_500,
        outageMs: 1_500,
        slowParseMs: 2_000,
        rollbackAfterAlertMs: 500,
        waitMs: 60_000,
        pollMs: 250,
      },
    });
    report = await (demo.story as Promise<StoryReport>);
    console.log(
      `story played in ${((Date.now() - started) / 1000).toFixed(1)} s:\n${report.chapters.map((c) => `  ${(c.at_ms / 1000).toFixed(1).padStart(5)} s  ${c.message}`).join('\n')}`,
    );
  }, SERVER_START_TIMEOUT_MS + 120_000);

  afterAll(async () => {
    await demo?.();
    if (server) await closeServer(server);
  });

  it('plays every chapter, in order, and logs each', () => {
    expect(report.failed, logs.filter((l) => l.startsWith('WARN')).join('\n')).toBeNull();
    const parser = report.chapters.map((c) => c.chapter).filter((c) => !['gateway', 'outage', 'outage-over', 'recovered'].includes(c));
    expect(parser).toEqual([
      'version',
      'experiment',
      'results',
      'deploy',
      'version',
      'slowdown',
      'alert',
      'preview',
      'rollback',
      'resolved',
    ]);
    expect(report.chapters.map((c) => c.chapter)).toEqual(expect.arrayContaining(['gateway', 'outage', 'outage-over', 'recovered']));
    for (const c of report.chapters) expect(logs).toContain(`demo: ${c.message}`);
    expect(logs).toContain(`demo: deployed ${STORY_MODEL} 1.1.0 for tenant ${acme} (the experiment's treatment, promoted)`);
  });

  it('leaves two new versions, a deployment, an experiment and a rollback on the provenance timeline', async () => {
    const { items } = await get<{
      items: { kind: string; version: string | null; from_version: string | null; tenants: string[] | null }[];
    }>(`/v1/models/${STORY_MODEL}/timeline`);
    const kinds = (k: string) => items.filter((i) => i.kind === k);
    expect(kinds('version_registered').map((i) => i.version)).toEqual(expect.arrayContaining(['1.0.0', '1.1.0', '1.2.0']));
    expect(kinds('config_change').length).toBeGreaterThanOrEqual(2);
    expect(kinds('experiment_started')).toHaveLength(1);
    expect(kinds('experiment_promoted')).toHaveLength(1);
    expect(kinds('deploy').filter((i) => i.version === '1.1.0' && i.tenants?.join() === acme)).toHaveLength(1);
    expect(kinds('deploy').filter((i) => i.version === '1.2.0' && i.tenants?.join() === acme)).toHaveLength(1);
    expect(kinds('rollback').map((i) => [i.from_version, i.version, i.tenants])).toEqual([['1.2.0', '1.1.0', [acme]]]);
    // What runs for each tenant now: acme on 1.1.0, globex untouched on the seeded parser.
    const config = async (t: string) =>
      (await get<{ stages: { stage: string; active: { version: string } | null }[] }>(`/v1/pipeline/config?tenant=${t}`)).stages;
    expect((await config(acme)).find((s) => s.stage === 'parse')?.active?.version).toBe('1.1.0');
    expect((await config(globex)).find((s) => s.stage === 'parse')?.active?.version).toBe('1.0.0');
  });

  it('gives the experiment results with enough calls in each variant for a verdict', async () => {
    const results = await get<{
      experiment: { state: string; winner: string };
      variants: { variant: string; calls: number; p95_ms: number | null }[];
    }>(`/v1/experiments/${report.experiment_id}/results`);
    expect(results.experiment).toMatchObject({ state: 'promoted', winner: 'treatment' });
    expect(results.variants.map((v) => v.variant).sort()).toEqual(['control', 'treatment']);
    for (const v of results.variants) {
      expect(v.calls).toBeGreaterThanOrEqual(20);
      expect(v.p95_ms).not.toBeNull();
    }
  });

  it('really slowed parse (its events carry the slow version and its latency) and the alert opened and resolved by itself', async () => {
    const parse = await eventsOf(server.url, token, { tenant_id: acme, stage: 'parse', status: 'completed', model_version: '1.2.0' });
    expect(parse.length).toBeGreaterThan(0);
    const durations = parse.map((e) => Number((e as unknown as { duration_ms: number }).duration_ms));
    expect(Math.min(...durations)).toBeGreaterThanOrEqual(2_000);
    const { alerts } = await get<{ alerts: { id: string; rule: string; state: string; tenant_id: string; message: string }[] }>(
      `/v1/alerts?tenant_id=${acme}&stage=parse`,
    );
    const alert = alerts.find((a) => a.id === report.alert_id);
    expect(alert).toMatchObject({ rule: 'bottleneck', state: 'resolved', tenant_id: acme });
    expect(alert?.message).toMatch(/^parse is the bottleneck/);
    // The other tenant never sees it.
    const theirs = await get<{ alerts: { id: string }[] }>(`/v1/alerts?tenant_id=${globex}`);
    expect(theirs.alerts.map((a) => a.id)).not.toContain(report.alert_id);
  });

  it('records failed embed calls during the outage and the retried documents completing', async () => {
    const events = await eventsOf(server.url, token, { tenant_id: globex, stage: 'embed' });
    const failed = events.filter((e) => e.status === 'failed');
    expect(failed.length).toBeGreaterThan(0);
    for (const e of failed) {
      expect(e.model_name).toBe(STORY_EMBEDDER.model_name);
      expect(e.error?.type).toBe('EmbeddingServiceError');
      expect(e.error?.message).toMatch(/answered 503/);
    }
    const completed = new Set(events.filter((e) => e.status === 'completed').map((e) => e.document_id));
    const recovered = [...new Set(failed.map((e) => e.document_id))].filter((d) => completed.has(d));
    expect(recovered.length).toBeGreaterThan(0);
    const stats = demo?.retries.get(globex);
    expect(stats?.retried).toBeGreaterThan(0);
    expect(stats?.recovered).toBeGreaterThan(0);
    // acme's embedder never failed: the outage was globex's gateway.
    expect((await eventsOf(server.url, token, { tenant_id: acme, stage: 'embed', status: 'failed' })).length).toBe(0);
  });
});
