import { existsSync } from 'node:fs';
import { experimentVariant } from '@frostbyte/contracts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, uniq, until } from '../../server/test/helper.ts';
import { readSampleDocuments, type SampleDocument } from '../src/corpus/samples.ts';
import { drainTelemetry } from '../src/load.ts';
import { RegistryClient } from '../src/registry-client.ts';
import { runPipeline } from '../src/run.ts';
import { authHeaders, closeServer, eventsOf, newTelemetry, SERVER_START_TIMEOUT_MS, tokenOf, withAdminToken } from './support.ts';

// The registry is another engineer's work in progress; until its route exists there is
// nothing to obey, and the test says so instead of failing.
const REGISTRY_ROUTE = new URL('../../server/src/routes/v1/pipeline.ts', import.meta.url);
const noRegistry = !existsSync(REGISTRY_ROUTE);

describe('the pipeline obeys the model registry', { timeout: 120_000 }, () => {
  it('runs the built-in defaults when the registry cannot be reached, and says so once', async () => {
    const messages: string[] = [];
    const client = new RegistryClient({
      endpoint: 'http://127.0.0.1:1', // nothing listens on port 1
      tenant: 'acme',
      timeoutMs: 500,
      log: { info: (m) => messages.push(m), warn: (m) => messages.push(m) },
    });
    await client.refresh();
    await client.refresh();
    await client.refresh();
    expect(client.source).toBe('defaults');
    expect(client.resolve('parse', 'd1')).toMatchObject({ source: 'default', meta: { model_name: 'frostbyte-docparse' } });
    expect(messages).toHaveLength(1);
    expect(messages[0]).toMatch(/registry unavailable.*built-in default models/);
  });

  describe.skipIf(noRegistry)('against the real registry (GET /v1/pipeline/config)', () => {
    let server: Awaited<ReturnType<typeof startServer>>;
    let token: string | undefined;
    let samples: SampleDocument[];
    beforeAll(async () => {
      server = await startServer('embedded', withAdminToken());
      token = tokenOf(server);
      samples = (await readSampleDocuments()).filter((s) => s.filename !== 'corrupt-scan.pdf');
    }, SERVER_START_TIMEOUT_MS);
    afterAll(async () => {
      if (server) await closeServer(server);
    });

    const api = async (method: string, path: string, body?: unknown) => {
      const res = await fetch(`${server.url}${path}`, {
        method,
        headers: { 'content-type': 'application/json', ...authHeaders(token) },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
      const text = await res.text();
      if (!res.ok) throw new Error(`${method} ${path} → ${res.status}: ${text}`);
      return JSON.parse(text) as Record<string, unknown>;
    };

    async function run(tenant: string, client: RegistryClient, docs: SampleDocument[], tag: string) {
      const telemetry = newTelemetry(server.url, token);
      const summary = await runPipeline({
        documents: docs.map((s) => ({ document_id: `${tag}-${s.document_id}`, filename: s.filename, content: s.content })),
        tenant,
        models: client,
        telemetry,
        store: false,
      });
      expect(await drainTelemetry(telemetry, 20_000)).toBe(true);
      await telemetry.shutdown();
      return until(
        () => eventsOf(server.url, token, { tenant_id: tenant, document_prefix: `${tag}-` }),
        (events) => events.length >= summary.events,
        20_000,
        200,
      );
    }

    it('a deploy, a rollback and an experiment change what runs, and the events carry the version (and its cost)', async () => {
      const tenant = uniq('reg');
      const messages: string[] = [];
      const client = new RegistryClient({
        endpoint: server.url,
        apiKey: token,
        tenant,
        pollIntervalMs: 100,
        log: { info: (m) => messages.push(m), warn: (m) => messages.push(m) },
      });
      await client.start();
      try {
        expect(client.source, messages.join('\n')).toBe('registry');
        expect(client.resolve('parse', 'x').meta).toMatchObject({ model_name: 'frostbyte-docparse', model_version: '1.0.0' });

        // 1. As seeded: events carry 1.0.0 and are priced by the server.
        const before = await run(tenant, client, samples.slice(0, 3), 'v1');
        const parse1 = before.filter((e) => e.stage === 'parse' && e.status === 'completed');
        expect(parse1.map((e) => e.model_version)).toEqual(['1.0.0', '1.0.0', '1.0.0']);
        expect(parse1.every((e) => (e.cost_usd ?? 0) > 0)).toBe(true);

        // 2. Deploy 1.1.0 (smaller chunks) for this tenant only.
        await api('POST', '/v1/models/frostbyte-docparse/versions', {
          version: '1.1.0',
          config: { chunk_max_tokens: 60, chunk_overlap_tokens: 10, delay_ms: 0 },
          pricing: { per_page: 0.001 },
          reason: 'smaller chunks for retrieval',
        });
        await api('POST', '/v1/models/frostbyte-docparse/deployments', {
          version: '1.1.0',
          tenants: [tenant],
          reason: 'pipeline obedience test',
        });
        await until(
          () => client.resolve('parse', 'x').meta.model_version,
          (v) => v === '1.1.0',
          5_000,
          50,
        );
        const after = await run(tenant, client, samples.slice(0, 3), 'v2');
        expect(after.filter((e) => e.stage === 'parse').every((e) => e.model_version === '1.1.0')).toBe(true);
        // Smaller chunks really ran: more of them reach the embedder.
        const chunks = (events: typeof before) =>
          events.filter((e) => e.stage === 'embed' && e.status === 'completed').reduce((n, e) => n + (e.input_tokens ?? 0), 0);
        expect(chunks(after)).toBeGreaterThan(chunks(before));

        // 3. Roll back.
        await api('POST', '/v1/models/frostbyte-docparse/rollback', { to_version: '1.0.0', tenants: [tenant], reason: 'rollback in test' });
        await until(
          () => client.resolve('parse', 'x').meta.model_version,
          (v) => v === '1.0.0',
          5_000,
          50,
        );

        // 4. An A/B experiment on the policy stage: sticky per document, by the shared rule.
        await api('POST', '/v1/models/frostbyte-policy/versions', {
          version: '1.1.0-strict',
          config: { min_topic_score: 6 },
          reason: 'stricter topic threshold',
        });
        const created = await api('POST', '/v1/experiments', {
          name: 'strict topics',
          stage: 'policy',
          treatment: { model_name: 'frostbyte-policy', version: '1.1.0-strict' },
          treatment_percent: 50,
          tenants: [tenant],
          reason: 'does a stricter threshold change decisions?',
        });
        const experimentId = (created.experiment as { id: string }).id;
        await until(
          () => client.resolve('policy', 'x').experiment?.id,
          (id) => id === experimentId,
          5_000,
          50,
        );
        const ab = await run(tenant, client, samples, 'ab');
        const policy = ab.filter((e) => e.stage === 'policy' && e.status === 'completed');
        expect(policy).toHaveLength(samples.length);
        for (const e of policy) {
          const variant = experimentVariant(experimentId, e.document_id as string, 50);
          expect(e.model_version, e.document_id ?? '').toBe(variant === 'treatment' ? '1.1.0-strict' : '1.0.0');
          expect(e.metadata?.variant).toBe(variant);
        }
        expect(new Set(policy.map((e) => e.model_version)).size).toBe(2);
        expect(messages.some((m) => m.includes('frostbyte-docparse@1.0.0 → frostbyte-docparse@1.1.0'))).toBe(true);
      } finally {
        client.stop();
      }
    });
  });
});
