import { afterAll, describe, expect, it } from 'vitest';
import { freshPgDatabase, startServer, uniq, until } from '../../server/test/helper.ts';
import { readSampleDocuments, type SampleDocument } from '../src/corpus/samples.ts';
import { drainTelemetry } from '../src/load.ts';
import { DefaultModels } from '../src/registry-client.ts';
import { type PipelineDocument, runPipeline } from '../src/run.ts';
import { closeServer, eventsOf, newTelemetry, tokenOf, withAdminToken } from './support.ts';

/** Copies of the samples with ids unique to `tag`, so two runs never share a document. */
function documents(samples: SampleDocument[], tag: string, copies: number): PipelineDocument[] {
  return Array.from({ length: copies }, (_, c) =>
    samples.map((s) => ({ document_id: `${tag}-${c}-${s.document_id}`, filename: s.filename, content: s.content })),
  ).flat();
}

describe('the server stopped in the middle of a run', { timeout: 120_000 }, () => {
  const cleanups: (() => Promise<void>)[] = [];
  afterAll(async () => {
    for (const c of cleanups.reverse()) await c().catch(() => undefined);
  });

  it('the pipeline finishes without slowing down; once the server is back every event arrives, none twice', async () => {
    const db = await freshPgDatabase();
    cleanups.push(db.drop);
    const redisPrefix = uniq('fmo-outage-');
    const auth = withAdminToken();
    const first = await startServer('server', { databaseUrl: db.url, redisPrefix, ...auth });
    const port = Number(new URL(first.url).port);
    const token = tokenOf(first);
    let second: Awaited<ReturnType<typeof startServer>> | undefined;
    cleanups.push(async () => {
      if (second) await closeServer(second);
    });

    const samples = (await readSampleDocuments()).filter((s) => s.filename !== 'corrupt-scan.pdf');
    // Simulated inference latency makes the run long enough to stop the server inside it.
    const models = new DefaultModels({ delay_ms: { parse: 15, embed: 10, policy: 10 } });
    const telemetry = newTelemetry(first.url, token);

    // Baseline: the same amount of work with the server up.
    const baselineTenant = uniq('baseline');
    const baseline = await runPipeline({
      documents: documents(samples, 'b', 2),
      tenant: baselineTenant,
      models,
      telemetry,
      store: false,
      concurrency: 4,
    });

    // The outage run: the server is stopped after the 10th document has been handed out.
    const tenant = uniq('outage');
    let stopping: Promise<void> | undefined;
    async function* feed() {
      let n = 0;
      for (const doc of documents(samples, 'o', 2)) {
        if (n++ === 10) stopping = closeServer(first, { keepData: true });
        yield doc;
      }
    }
    const run = await runPipeline({ documents: feed(), tenant, models, telemetry, store: false, concurrency: 4 });
    await stopping;
    const during = telemetry.stats();

    expect(run.failed).toBe(0);
    expect(run.documents).toBe(baseline.documents);
    // Not slower: the SDK never waits on the network in a model call.
    expect(run.duration_ms).toBeLessThan(baseline.duration_ms * 2 + 2_000);
    // The server really was gone: events went to the spool.
    expect(during.spooled).toBeGreaterThan(0);

    // The server comes back on the same address, with the same database, stream and keys.
    second = await startServer('server', { port, databaseUrl: db.url, redisPrefix, dataDir: first.config.dataDir, ...auth });
    expect(await drainTelemetry(telemetry, 30_000)).toBe(true);
    const after = telemetry.stats();
    await telemetry.shutdown();
    expect(after.dropped + after.rejected).toBe(0);

    const stored = await until(
      () => eventsOf(second!.url, token, { tenant_id: tenant }),
      (events) => events.length >= run.events,
      20_000,
      250,
    );
    const ids = new Set(stored.map((e) => e.id));
    expect(ids.size).toBe(run.events); // every event arrived…
    expect(stored.length).toBe(ids.size); // …and none twice
    const byInvocation = new Map<string, string[]>();
    for (const e of stored) byInvocation.set(e.invocation_id, [...(byInvocation.get(e.invocation_id) ?? []), e.status]);
    expect(byInvocation.size).toBe(run.invocations);
    for (const statuses of byInvocation.values()) expect(statuses.sort()).toEqual(['completed', 'started']);
  });
});
