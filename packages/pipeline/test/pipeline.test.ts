import { EventSource } from 'eventsource';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, tempDir, uniq, until } from '../../server/test/helper.ts';
import { readSampleDocuments } from '../src/corpus/samples.ts';
import { drainTelemetry } from '../src/load.ts';
import { DefaultModels } from '../src/registry-client.ts';
import { runPipeline } from '../src/run.ts';
import {
  authHeaders,
  closeServer,
  eventsOf,
  newTelemetry,
  SERVER_START_TIMEOUT_MS,
  type StoredEvent,
  tokenOf,
  withAdminToken,
} from './support.ts';

describe('the pipeline over the bundled samples', { timeout: 120_000 }, () => {
  let server: Awaited<ReturnType<typeof startServer>>;
  let token: string | undefined;
  beforeAll(async () => {
    server = await startServer('embedded', withAdminToken());
    token = tokenOf(server);
  }, SERVER_START_TIMEOUT_MS);
  afterAll(async () => {
    if (server) await closeServer(server);
  });

  it('emits started + completed for parse, embed and policy of every good document, and a failed parse for the corrupt one — in /v1/events and on the SSE stream', async () => {
    const tenant = uniq('samples');
    const samples = await readSampleDocuments();
    const corrupt = samples.filter((s) => s.filename === 'corrupt-scan.pdf');
    const good = samples.filter((s) => s.filename !== 'corrupt-scan.pdf');
    expect(corrupt).toHaveLength(1);
    expect(good.length).toBeGreaterThanOrEqual(20);

    // A real SSE client, subscribed before the run, filtered to this tenant.
    const live = new Map<string, StoredEvent>();
    const sse = new EventSource(`${server.url}/telemetry/stream?tenant_id=${tenant}`, {
      fetch: (input, init) => fetch(input, { ...init, headers: { ...(init?.headers as Record<string, string>), ...authHeaders(token) } }),
    });
    sse.addEventListener('model_event', (m) => {
      const frame = JSON.parse(m.data) as { event: StoredEvent };
      live.set(frame.event.id, frame.event);
    });
    await new Promise<void>((resolve, reject) => {
      sse.onopen = () => resolve();
      sse.onerror = (e) => reject(new Error(`SSE: ${e.message}`));
    });

    const telemetry = newTelemetry(server.url, token);
    const summary = await runPipeline({
      documents: samples.map((s) => ({ document_id: s.document_id, filename: s.filename, content: s.content })),
      tenant,
      concurrency: 4,
      telemetry,
      models: new DefaultModels({ output_dir: tempDir('fmo-out-') }),
    });
    expect(await drainTelemetry(telemetry, 20_000)).toBe(true);
    await telemetry.shutdown();

    expect(summary.documents).toBe(samples.length);
    expect(summary.failed).toBe(1);
    expect(summary.results.find((r) => r.status === 'failed')).toMatchObject({
      filename: 'corrupt-scan.pdf',
      failed_stage: 'parse',
      error: { type: 'CorruptDocumentError' },
    });

    const expected = summary.events;
    const stored = await until(
      () => eventsOf(server.url, token, { tenant_id: tenant }),
      (events) => events.length >= expected,
      20_000,
      200,
    );
    expect(stored).toHaveLength(expected);
    expect(stored.every((e) => e.pipeline_run_id === summary.pipeline_run_id)).toBe(true);

    for (const doc of good) {
      const mine = stored.filter((e) => e.document_id === doc.document_id);
      for (const stage of ['parse', 'embed', 'policy']) {
        const started = mine.filter((e) => e.stage === stage && e.status === 'started');
        const completed = mine.filter((e) => e.stage === stage && e.status === 'completed');
        expect(started, `${doc.filename} ${stage} started`).toHaveLength(1);
        expect(completed, `${doc.filename} ${stage} completed`).toHaveLength(1);
        expect(completed[0]?.invocation_id).toBe(started[0]?.invocation_id);
        expect(completed[0]?.input_tokens, `${doc.filename} ${stage} tokens`).toBeGreaterThan(0);
      }
      const policy = mine.find((e) => e.stage === 'policy' && e.status === 'completed');
      expect(policy?.metadata?.decision).toBeTypeOf('object');
    }

    const corruptEvents = stored.filter((e) => e.document_id === 'corrupt-scan');
    expect(corruptEvents.map((e) => `${e.stage}:${e.status}`).sort()).toEqual(['parse:failed', 'parse:started']);
    expect(corruptEvents.find((e) => e.status === 'failed')?.error?.type).toBe('CorruptDocumentError');
    // It consumed no tokens (the SDK must not count the tokens of the input view).
    expect(corruptEvents.find((e) => e.status === 'failed')?.input_tokens).toBe(0);

    // Every stored event also went out live.
    await until(
      () => live.size,
      (n) => n >= expected,
      10_000,
      100,
    );
    sse.close();
    expect([...live.keys()].sort()).toEqual(stored.map((e) => e.id).sort());
  });
});
