import { describe, expect, it } from 'vitest';
import {
  currentContext,
  getTelemetry,
  initTelemetry,
  MemoryExporter,
  NOOP_TELEMETRY,
  observe,
  shutdownTelemetry,
  withContext,
  wrapModel,
} from '../src/index.ts';
import { uniqueMeta } from './helpers.ts';

describe('API without an SDK (no-op default)', () => {
  it('instrumented code runs with no backend, no network and no spool', async () => {
    expect(getTelemetry()).toBe(NOOP_TELEMETRY);
    const model = wrapModel(async (x: number) => x * 2, uniqueMeta());
    expect(await model(21)).toBe(42);
    const err = new Error('boom');
    await expect(wrapModel(async () => Promise.reject(err), uniqueMeta())()).rejects.toBe(err);
    expect(
      await observe(uniqueMeta(), async (inv) => {
        inv.setRationale('ignored');
        return 'ok';
      }),
    ).toBe('ok');
    await withContext({ tenant_id: 'acme' }, async () => {
      await model(1);
      expect(currentContext()?.tenant_id).toBe('acme');
    });
    expect(getTelemetry().stats().emitted).toBe(0);
  });

  it('functions wrapped before initTelemetry() start recording once it runs, and stop after shutdown', async () => {
    const model = wrapModel(async (x: string) => x, uniqueMeta());
    await model('before');
    const exporter = new MemoryExporter();
    const telemetry = initTelemetry({ exporter, spoolDir: false, flushOnExit: false, countTokens: false });
    expect(getTelemetry()).toBe(telemetry);
    await model('during');
    await telemetry.flush();
    await shutdownTelemetry();
    await model('after');
    expect(getTelemetry()).toBe(NOOP_TELEMETRY);
    expect(exporter.getEvents().map((e) => [e.status, e.trace?.input])).toEqual([
      ['started', undefined],
      ['completed', 'during'],
    ]);
  });

  it('FMO_TELEMETRY=0 keeps the no-op even when initTelemetry() is called', () => {
    expect(initTelemetry({ env: { FMO_TELEMETRY: '0' }, spoolDir: false })).toBe(NOOP_TELEMETRY);
  });
});
