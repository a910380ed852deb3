import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeEvent, postEvents, startServer, until, uniq, getJson } from '../helper.ts';

describe('abandoned invocations', () => {
  let s: Awaited<ReturnType<typeof startServer>>;
  beforeAll(async () => {
    s = await startServer('server', { abandonAfterMs: 1000 });
  }, 60_000);
  afterAll(() => s?.close());

  it('closes a started invocation that never ended, once, and leaves ended ones alone', async () => {
    const tenant = uniq('t');
    const orphan = makeEvent({ tenant_id: tenant, status: 'started', duration_ms: undefined, timestamp: new Date(Date.now() - 5000).toISOString() });
    const started = makeEvent({ tenant_id: tenant, status: 'started', duration_ms: undefined, timestamp: new Date(Date.now() - 5000).toISOString() });
    const done = makeEvent({ tenant_id: tenant, invocation_id: started.invocation_id });
    await postEvents(s.url, [orphan, started, done]);
    const inv = await until(
      async () => getJson(`${s.url}/v1/invocations/${orphan.invocation_id}`),
      (r) => r.events?.length === 2, // 404 until the writer has stored the events
      5000,
    );
    expect(inv.events.map((e: { status: string }) => e.status)).toEqual(['started', 'abandoned']);
    await new Promise((r) => setTimeout(r, 2500)); // more sweeps: still one abandoned event
    const again = await getJson(`${s.url}/v1/invocations/${orphan.invocation_id}`);
    expect(again.events).toHaveLength(2);
    const other = await getJson(`${s.url}/v1/invocations/${started.invocation_id}`);
    expect(other.events.map((e: { status: string }) => e.status)).toEqual(['started', 'completed']);
  });
});
