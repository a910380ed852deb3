import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeEvent, postEvents, startServer, TEST_ADMIN_TOKEN, uniq, until } from './helper.ts';

/**
 * Server mode runs the writer in a worker thread (ingest/writer-thread.ts). What the
 * main thread must still learn from it: batch sizes (the /metrics histogram) and the
 * tenants whose audit chains grew, so the periodic checkpoint signs them.
 */
describe('writer thread (server mode)', () => {
  let s: Awaited<ReturnType<typeof startServer>>;
  beforeAll(async () => {
    // No periodic checkpoint: the test signs one itself, from what the thread reported.
    s = await startServer('server', { auditCheckpointMs: 0 });
  }, 60_000);
  afterAll(() => s?.close());

  it('writes what ingest accepted, reports its batches, and marks the tenants it appended to for signing', async () => {
    const tenant = uniq('wt');
    const events = Array.from({ length: 40 }, () => makeEvent({ tenant_id: tenant }));
    await postEvents(s.url, events);
    await until(
      () => s.app.storage.listEvents([tenant], { limit: 100 }),
      (rows) => rows.length === events.length,
      10_000,
    );
    const metrics = await (await fetch(`${s.url}/metrics`, { headers: { authorization: `Bearer ${TEST_ADMIN_TOKEN}` } })).text();
    const written = Number(/^fmo_writer_batch_size_sum(?:\{[^}]*\})? ([\d.e+]+)$/m.exec(metrics)?.[1] ?? 0);
    expect(written).toBeGreaterThanOrEqual(events.length);
    // Only the tenants the thread reported are signed by a non-`all` checkpoint.
    await until(() => s.app.audit.checkpointAll(), (n) => n >= 1, 10_000);
    const { rows } = await s.app.db.query<{ n: number }>(
      'SELECT count(*)::int AS n FROM audit_checkpoints WHERE tenant_id = $1',
      [tenant],
    );
    expect(rows[0]?.n).toBe(1);
  });
});
