import type { ModelEventInput } from '@frostbyte/contracts';
import { afterEach, describe, expect, it } from 'vitest';
import { type EventExporter, type ExportResult, ExportResultCode, TelemetrySdk } from '../src/index.ts';
import { tempSpoolDir, uniqueMeta, waitFor } from './helpers.ts';

/** An exporter that hangs until released: a server that accepts connections and never answers. */
class StuckExporter implements EventExporter {
  received = 0;
  #release: (() => void) | undefined;
  readonly #gate = new Promise<void>((resolve) => {
    this.#release = resolve;
  });
  async export(events: readonly ModelEventInput[]): Promise<ExportResult> {
    await this.#gate;
    this.received += events.length;
    return { code: ExportResultCode.SUCCESS, accepted: events.length };
  }
  release() {
    this.#release?.();
  }
  async forceFlush() {}
  async shutdown() {
    this.release();
  }
}

const sdks: TelemetrySdk[] = [];
afterEach(async () => {
  await Promise.all(sdks.splice(0).map((t) => t.shutdown()));
});

describe('bounded queue under a flood', () => {
  it('without a spool: memory stays within maxQueueSize, excess is counted as dropped, calls never fail', async () => {
    const exporter = new StuckExporter();
    const telemetry = new TelemetrySdk({
      exporter,
      spoolDir: false,
      flushOnExit: false,
      countTokens: false,
      maxQueueSize: 1_000,
      batchSize: 100,
    });
    sdks.push(telemetry);
    const model = telemetry.wrapModel(async (x: number) => x, uniqueMeta());
    let maxQueued = 0;
    for (let i = 0; i < 10_000; i++) {
      expect(await model(i)).toBe(i);
      if (i % 100 === 0) maxQueued = Math.max(maxQueued, telemetry.stats().queued);
    }
    const s = telemetry.stats();
    expect(maxQueued).toBeLessThanOrEqual(1_000);
    expect(s.queued).toBeLessThanOrEqual(1_000);
    expect(s.emitted).toBe(20_000);
    expect(s.dropped).toBeGreaterThan(18_000);
    exporter.release();
    await telemetry.flush();
    const after = telemetry.stats();
    expect(exporter.received + after.dropped).toBe(20_000); // every event accounted for
  });

  it('with a spool: overflow goes to disk instead of being dropped, and is delivered later', async () => {
    const exporter = new StuckExporter();
    const telemetry = new TelemetrySdk({
      exporter,
      spoolDir: await tempSpoolDir(),
      flushOnExit: false,
      countTokens: false,
      maxQueueSize: 5_000,
      batchSize: 100,
      probeIntervalMs: 20,
    });
    sdks.push(telemetry);
    // 40 concurrent callers of a 1 ms model: ~40k events/s, twice the system's ingest target,
    // against an exporter that never answers.
    const model = telemetry.wrapModel((x: number) => new Promise<number>((resolve) => setTimeout(() => resolve(x), 1)), uniqueMeta());
    let maxQueued = 0;
    await Promise.all(
      Array.from({ length: 40 }, async (_, w) => {
        for (let i = 0; i < 500; i++) {
          await model(w * 1_000 + i);
          maxQueued = Math.max(maxQueued, telemetry.stats().queued);
        }
      }),
    );
    await waitFor(() => telemetry.stats().queued < 5_000, 5_000, 'spill');
    const s = telemetry.stats();
    expect(maxQueued).toBeLessThanOrEqual(5_000);
    expect(s.dropped).toBe(0);
    expect(s.spooled).toBeGreaterThan(20_000);
    exporter.release();
    await waitFor(() => exporter.received === 40_000, 20_000, 'spool replay after the exporter recovers');
    expect(telemetry.stats()).toMatchObject({ dropped: 0, emitted: 40_000 });
  }, 30_000);
});
