import { EventSource } from 'eventsource';
import { afterEach, describe, expect, it } from 'vitest';
import { userToken } from '../security/support.ts';
import { fetch, makeEvent, postEvents, startServer, tempDir, until, uniq, getJson } from '../helper.ts';

interface Received {
  id: string;
  eventId: string;
  at: number;
}

/** A real WHATWG EventSource client that records what it receives. */
function listen(url: string, opts: { lastEventId?: string; token?: string } = {}) {
  const got: Received[] = [];
  const gaps: unknown[] = [];
  const ready: { id: string; frame: unknown }[] = [];
  const es = new EventSource(url, {
    fetch: (input, init) =>
      fetch(input, { ...init, headers: { ...(init?.headers as Record<string, string>), ...(opts.lastEventId ? { 'Last-Event-ID': opts.lastEventId } : {}), ...(opts.token ? { authorization: `Bearer ${opts.token}` } : {}) } }),
  });
  es.addEventListener('model_event', (m) => got.push({ id: m.lastEventId, eventId: JSON.parse(m.data).event.id, at: Date.now() }));
  es.addEventListener('gap', (m) => gaps.push(JSON.parse(m.data)));
  es.addEventListener('ready', (m) => ready.push({ id: m.lastEventId, frame: JSON.parse(m.data) }));
  const opened = new Promise<void>((resolve) => es.addEventListener('open', () => resolve()));
  return { es, got, gaps, ready, opened };
}

for (const mode of ['embedded', 'server'] as const) {
  describe(`SSE live stream and resume (${mode}: ${mode === 'embedded' ? 'PGlite + memory bus' : 'PostgreSQL + Redis Streams'})`, () => {
    const closers: (() => unknown)[] = [];
    afterEach(async () => {
      for (const c of closers.splice(0).reverse()) await c();
    });

    it('delivers posted events within 100 ms, filtered on the server', async () => {
      const s = await startServer(mode);
      closers.push(() => s.close());
      const tenant = uniq('t');
      const c = listen(`${s.url}/telemetry/stream?tenant_id=${tenant}&model_name=wanted`);
      closers.push(() => c.es.close());
      await c.opened;
      const wanted = Array.from({ length: 5 }, () => makeEvent({ tenant_id: tenant, model_name: 'wanted' }));
      const other = [makeEvent({ tenant_id: tenant, model_name: 'other' }), makeEvent({ tenant_id: uniq('x'), model_name: 'wanted' })];
      const sentAt = Date.now();
      await postEvents(s.url, [...wanted.slice(0, 2), ...other, ...wanted.slice(2)]);
      await until(() => c.got.length, (n) => n >= 5, 5000, 5);
      expect(c.got.map((g) => g.eventId)).toEqual(wanted.map((e) => e.id));
      // From the POST being sent (ack includes the durable write) to the client.
      expect(Math.max(...c.got.map((g) => g.at)) - sentAt).toBeLessThan(1000);
      await new Promise((r) => setTimeout(r, 200));
      expect(c.got).toHaveLength(5);
    });

    it('resumes after a disconnect with Last-Event-ID: every missed event once, in order', async () => {
      const s = await startServer(mode);
      closers.push(() => s.close());
      const tenant = uniq('t');
      const url = `${s.url}/telemetry/stream?tenant_id=${tenant}`;
      const first = listen(url);
      await first.opened;
      const before = Array.from({ length: 3 }, () => makeEvent({ tenant_id: tenant }));
      await postEvents(s.url, before);
      await until(() => first.got.length, (n) => n === 3);
      const lastId = first.got[2]?.id as string;
      first.es.close();

      const missed = Array.from({ length: 40 }, () => makeEvent({ tenant_id: tenant }));
      for (let i = 0; i < missed.length; i += 10) await postEvents(s.url, missed.slice(i, i + 10));
      const second = listen(url, { lastEventId: lastId });
      closers.push(() => second.es.close());
      await second.opened;
      const after = Array.from({ length: 5 }, () => makeEvent({ tenant_id: tenant }));
      await postEvents(s.url, after);
      await until(() => second.got.length, (n) => n >= 45, 5000);
      await new Promise((r) => setTimeout(r, 200));
      expect(second.got.map((g) => g.eventId)).toEqual([...missed, ...after].map((e) => e.id));
      expect(second.gaps).toEqual([]);
    });

    it('a client cut before its first event resumes from its `ready` position, also after a restart', async () => {
      const dataDir = tempDir();
      const s1 = await startServer(mode, { dataDir });
      const port = Number(new URL(s1.url).port);
      const tenant = uniq('t');
      const history = Array.from({ length: 3 }, () => makeEvent({ tenant_id: tenant }));
      await postEvents(s1.url, history);
      // Another tenant posts last: its position must not be the one this tenant is shown.
      const other = makeEvent({ tenant_id: uniq('o') });
      await postEvents(s1.url, [other]);
      await until(() => getJson(`${s1.url}/v1/events/${other.id}`), (r) => r.event?.id === other.id);
      const mine = await until(
        () => getJson(`${s1.url}/v1/events?tenant_id=${tenant}&limit=3`),
        (r) => r.events?.length === 3,
      );
      // Opens a fresh stream, takes its ready frame and drops it before any event came.
      const readyOf = async (base: string) => {
        const c = listen(`${base}/telemetry/stream?tenant_id=${tenant}`);
        await until(() => c.ready.length, (n) => n >= 1);
        c.es.close();
        const r = c.ready[0] as { id: string; frame: unknown };
        expect(r.frame).toEqual({ type: 'ready', position: r.id });
        expect(c.got).toEqual([]);
        return r.id;
      };
      // Events posted while the client was away arrive on its resume; the history before it does not.
      const resumeGets = async (base: string, from: string, n: number) => {
        const missed = Array.from({ length: n }, () => makeEvent({ tenant_id: tenant }));
        await postEvents(base, missed);
        const c = listen(`${base}/telemetry/stream?tenant_id=${tenant}`, { lastEventId: from });
        closers.push(() => c.es.close());
        await until(() => c.got.length, (k) => k >= n, 5000);
        await new Promise((r) => setTimeout(r, 200));
        expect(c.got.map((g) => g.eventId)).toEqual(missed.map((e) => e.id));
        expect(c.gaps).toEqual([]);
        c.es.close();
        return c.got[n - 1]?.id as string;
      };
      const first = await readyOf(s1.url);
      expect(first).toBe(mine.events[0].seq);
      const newest = await resumeGets(s1.url, first, 5);
      await s1.close({ keepData: true });

      // After a restart the position continues from what is stored, never from the start.
      const s2 = await startServer(mode, { dataDir, port, databaseUrl: s1.config.databaseUrl, redisPrefix: s1.config.redisPrefix });
      closers.push(() => s2.close());
      const position = await readyOf(s2.url);
      expect(position).toBe(newest);
      await resumeGets(s2.url, position, 4);
    }, 60_000);

    it('keeps events across a server restart and the client resumes by itself', async () => {
      const dataDir = tempDir();
      const s1 = await startServer(mode, { dataDir });
      const port = Number(new URL(s1.url).port);
      const tenant = uniq('t');
      const url = `${s1.url}/telemetry/stream?tenant_id=${tenant}`;
      const c = listen(url);
      closers.push(() => c.es.close());
      await c.opened;
      const before = Array.from({ length: 10 }, () => makeEvent({ tenant_id: tenant }));
      await postEvents(s1.url, before);
      await until(() => c.got.length, (n) => n === 10);
      await s1.close({ keepData: true });

      const s2 = await startServer(mode, { dataDir, port, databaseUrl: s1.config.databaseUrl, redisPrefix: s1.config.redisPrefix });
      closers.push(() => s2.close());
      const after = Array.from({ length: 10 }, () => makeEvent({ tenant_id: tenant }));
      await postEvents(s2.url, after);
      // The EventSource reconnects on its own, sending Last-Event-ID.
      await until(() => c.got.length, (n) => n >= 20, 15_000);
      await new Promise((r) => setTimeout(r, 300));
      expect(c.got.map((g) => g.eventId)).toEqual([...before, ...after].map((e) => e.id));
      const stored = await getJson(`${s2.url}/v1/events?tenant_id=${tenant}&limit=100`);
      expect(stored.events).toHaveLength(20);
      // The replay of an already stored batch after the restart adds nothing.
      const again = await postEvents(s2.url, before);
      expect(again.status).toBe(202);
      const still = await getJson(`${s2.url}/v1/events?tenant_id=${tenant}&limit=100`);
      expect(still.events).toHaveLength(20);
    }, 60_000);

    it('says `gap` when the resume point is older than anything still stored', async () => {
      const s = await startServer(mode);
      closers.push(() => s.close());
      const tenant = uniq('t');
      await postEvents(s.url, [makeEvent({ tenant_id: tenant })]);
      // 202 means durable on the bus; the gap is decided from what the database holds.
      await until(() => getJson(`${s.url}/v1/events?tenant_id=${tenant}`), (r) => r.events?.length === 1);
      const c = listen(`${s.url}/telemetry/stream?tenant_id=${tenant}`, { lastEventId: '1000-0' });
      closers.push(() => c.es.close());
      await until(() => c.gaps.length + c.got.length, (n) => n >= 2, 5000);
      expect(c.gaps[0]).toMatchObject({ type: 'gap', last_event_id: '1000-0' });
    });

    it("never reveals another tenant's position in the `gap` frame (resumed_from is the viewer's next event)", async () => {
      const s = await startServer(mode);
      closers.push(() => s.close());
      const [mine, theirs] = [uniq('t'), uniq('x')];
      // The other tenant's event is older, so it is the next one in the global stream.
      await postEvents(s.url, [makeEvent({ tenant_id: theirs })]);
      await postEvents(s.url, [makeEvent({ tenant_id: mine })]);
      await until(() => getJson(`${s.url}/v1/events?tenant_id=${mine}`), (r) => r.events?.length === 1);
      const theirSeq = (await getJson(`${s.url}/v1/events?tenant_id=${theirs}`)).events[0].seq;
      const user = await userToken(s.url, 'viewer', [mine]);
      const c = listen(`${s.url}/telemetry/stream`, { lastEventId: '1000-0', token: user.token });
      closers.push(() => c.es.close());
      await until(() => c.gaps.length + c.got.length, (n) => n >= 2, 5000);
      expect(c.got.map((g) => g.id)).not.toContain(theirSeq);
      expect(c.gaps[0]).toMatchObject({ type: 'gap', last_event_id: '1000-0', resumed_from: c.got[0]?.id });
      expect(JSON.stringify(c.gaps)).not.toContain(theirSeq);
    });
  });
}
