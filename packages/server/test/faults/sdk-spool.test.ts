import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { type EventExporter, ExportResultCode, HttpExporter, TelemetrySdk, withContext } from '@frostbyte/telemetry';
import { afterAll, describe, expect, it } from 'vitest';
import { sleep, until } from '../helper.ts';
import { ADMIN_TOKEN, countWhere, FULL, PrivatePostgres, PrivateRedis, spawnServer } from './support.ts';

const DOWN_MS = FULL ? 60_000 : 5_000;

/** The SDK's own HTTP exporter, counting how often the server acknowledged each event id. */
class CountingExporter implements EventExporter {
  readonly acks = new Map<string, number>();
  constructor(private readonly inner: HttpExporter) {}
  async export(events: Parameters<EventExporter['export']>[0]) {
    const r = await this.inner.export(events);
    if (r.code === ExportResultCode.SUCCESS) for (const e of events) this.acks.set(e.id as string, (this.acks.get(e.id as string) ?? 0) + 1);
    return r;
  }
  forceFlush() {
    return this.inner.forceFlush();
  }
  shutdown() {
    return this.inner.shutdown();
  }
}

/**
 * The telemetry server goes away for a minute (short form: 5 s) while a pipeline keeps
 * calling wrapped models: the calls run at full speed, the SDK spools to disk, and once
 * the server is back every spooled event is replayed and acknowledged exactly once.
 */
describe('fault: telemetry server down', () => {
  const cleanups: (() => Promise<unknown>)[] = [];
  afterAll(async () => {
    for (const c of cleanups.reverse()) await c().catch(() => {});
  });

  it(`SDK spools for ${DOWN_MS / 1000} s and replays every event once`, async () => {
    const [pgsql, redis] = await Promise.all([PrivatePostgres.start(), PrivateRedis.start()]);
    cleanups.push(() => pgsql.destroy(), () => redis.destroy());
    const db = await pgsql.createDatabase();
    const first = await spawnServer({ databaseUrl: db, redisUrl: redis.url, redisPrefix: 'spool' });
    const spoolDir = fs.mkdtempSync(path.join(os.tmpdir(), 'fmo-spool-'));
    cleanups.push(async () => fs.rmSync(spoolDir, { recursive: true, force: true }));
    const exporter = new CountingExporter(new HttpExporter({ endpoint: first.url, apiKey: ADMIN_TOKEN, maxAttempts: 2, backoffBaseMs: 50, timeoutMs: 2000, warn: () => {} }));
    const sdk = new TelemetrySdk({ exporter, spoolDir, flushOnExit: false, probeIntervalMs: 200, probeMaxIntervalMs: 1000, warn: () => {} });
    cleanups.push(() => sdk.shutdown());
    const model = sdk.wrapModel(async (x: number) => ({ output: x, usage: { input_tokens: 10, output_tokens: 2 } }), {
      model_name: 'spool-model',
      model_version: '1.0.0',
      stage: 'parse',
      operation: 'parse',
    });
    const runId = `spool-${Date.now()}`;

    // The pipeline: a steady stream of model calls (with a little async work each), counting calls per phase.
    let phase: 'before' | 'down' | 'after' = 'before';
    const calls = { before: 0, down: 0, after: 0 };
    const phaseMs = { before: 0, down: 0, after: 0 };
    let running = true;
    const pipeline = withContext({ tenant_id: 'spool', pipeline_run_id: runId }, async () => {
      while (running) {
        for (let i = 0; i < 20; i++) {
          await model(i);
          calls[phase]++;
        }
        await sleep(30); // ~600 calls/s: a steady pipeline, and a replay that fits the timeouts
      }
    });
    let t = Date.now();
    await sleep(FULL ? 5000 : 2000);
    phaseMs.before = Date.now() - t;
    await first.kill9();
    phase = 'down';
    t = Date.now();
    await sleep(DOWN_MS);
    phaseMs.down = Date.now() - t;
    const spooledWhileDown = sdk.stats().spooled;
    const second = await spawnServer(first.options);
    cleanups.push(() => second.stop());
    phase = 'after';
    t = Date.now();
    await sleep(2000);
    phaseMs.after = Date.now() - t;
    running = false;
    await pipeline;
    await sdk.flush();
    await until(() => sdk.stats(), (s) => s.mode === 'live' && s.spool_bytes === 0 && s.queued === 0, 300_000, 100);
    const stats = sdk.stats();
    const expected = 2 * (calls.before + calls.down + calls.after);
    const stored = await until(() => countWhere(db, 'pipeline_run_id = $1', [runId]), (n) => n >= expected, 300_000, 250).catch(() =>
      countWhere(db, 'pipeline_run_id = $1', [runId]),
    );
    const ackedTwice = [...exporter.acks.values()].filter((n) => n > 1).length;
    const rate = (p: keyof typeof calls) => Math.round((calls[p] / phaseMs[p]) * 1000);
    console.log(
      `[faults] telemetry server down ${phaseMs.down} ms: calls/s before=${rate('before')} down=${rate('down')} after=${rate('after')}; ` +
        `emitted=${stats.emitted} exported_live=${stats.exported} spooled=${stats.spooled} (while down ${spooledWhileDown}) replayed=${stats.replayed} ` +
        `dropped=${stats.dropped} acknowledged_ids=${exporter.acks.size} acknowledged_more_than_once=${ackedTwice} stored=${stored} lost=${expected - stored}`,
    );
    expect(spooledWhileDown).toBeGreaterThan(0);
    expect(stats.dropped).toBe(0);
    expect(stats.replayed).toBe(stats.spooled);
    expect(exporter.acks.size).toBe(expected);
    expect(ackedTwice).toBe(0);
    expect(stored).toBe(expected);
    // "Full speed": the outage costs the pipeline at most half its call rate.
    expect(rate('down')).toBeGreaterThan(rate('before') * 0.5);
  });
});
