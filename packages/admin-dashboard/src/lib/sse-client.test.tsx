import type { ModelEvent } from '@frostbyte/contracts';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { FakeEventSource, makeEvent, parseWire, wire } from '../test/fixtures.ts';
import { setToken } from './session-token.ts';
import { SseClient, type StreamBatch, StreamBuffer } from './sse-client.ts';

const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => makeEvent(from + i));

describe('StreamBuffer (pure)', () => {
  it('drops repeated events by id and never moves the resume point backwards', () => {
    const buf = new StreamBuffer();
    const first = parseWire(wire(range(1, 5)));
    for (const f of first) buf.accept(f.event, f.data, f.id);
    expect(buf.lastEventId).toBe('5-0');
    // The server resumes a little early (overlap): 4 and 5 again, then 6.
    for (const f of parseWire(wire(range(4, 6)))) buf.accept(f.event, f.data, f.id);
    const batch = buf.drain();
    expect(batch?.events.map((e) => e.seq)).toEqual(['1-0', '2-0', '3-0', '4-0', '5-0', '6-0']);
    expect(buf.stats).toMatchObject({ accepted: 6, duplicates: 2, malformed: 0 });
    // A stale frame (older id) does not rewind the resume point.
    for (const f of parseWire(wire([makeEvent(2)]))) buf.accept(f.event, f.data, f.id);
    expect(buf.lastEventId).toBe('6-0');
    expect(buf.drain()).toBeNull();
  });

  it('compares positions as numbers, not strings', () => {
    const buf = new StreamBuffer();
    for (const f of parseWire(wire([makeEvent(9), makeEvent(10)]))) buf.accept(f.event, f.data, f.id);
    expect(buf.lastEventId).toBe('10-0');
  });

  it('counts malformed frames instead of throwing, and passes gap and alert frames on', () => {
    const buf = new StreamBuffer();
    buf.accept('model_event', '{not json', '1-0');
    buf.accept('gap', JSON.stringify({ type: 'gap', last_event_id: '1-0', resumed_from: '9-0', reason: 'expired' }));
    expect(buf.stats.malformed).toBe(1);
    expect(buf.drain()?.gaps).toHaveLength(1);
  });

  it("takes a fresh stream's `ready` position as the resume point, and hands nothing on for it", () => {
    const buf = new StreamBuffer();
    expect(buf.accept('ready', JSON.stringify({ type: 'ready', position: '7-3' }), '7-3')).toBe(false);
    expect(buf.lastEventId).toBe('7-3');
    expect(buf.stats).toMatchObject({ accepted: 0, malformed: 0 });
    expect(buf.drain()).toBeNull();
  });

  it('skips events already loaded from history', () => {
    const buf = new StreamBuffer();
    buf.markSeen(range(1, 3));
    for (const f of parseWire(wire(range(1, 4)))) buf.accept(f.event, f.data, f.id);
    expect(buf.drain()?.events.map((e) => e.seq)).toEqual(['4-0']);
  });
});

describe('SseClient', () => {
  let batches: StreamBatch[];
  let client: SseClient;
  const received = (): ModelEvent[] => batches.flatMap((b) => b.events);

  beforeEach(() => {
    vi.useFakeTimers();
    FakeEventSource.instances = [];
    batches = [];
    setToken('tok-123');
    client = new SseClient({
      flushMs: 300,
      createEventSource: (url) => new FakeEventSource(url),
      probe: async () => ({ status: 503, message: 'storage unavailable' }),
      retryDelaysMs: [1000],
    });
    client.subscribe((b) => batches.push(b));
  });
  afterEach(() => {
    client.close();
    setToken(null);
    vi.useRealTimers();
  });

  it('hands frames to listeners in batches, at most every 250–500 ms and at least once a second', () => {
    client.open({ tenant_id: 'acme' });
    const es = FakeEventSource.latest();
    es.open();
    // 2,000 events/s for 3 s: one frame every 0.5 ms (sent in 10 ms slices).
    const flushTimes: number[] = [];
    client.subscribe(() => flushTimes.push(Date.now()));
    let ms = 1;
    for (let t = 0; t < 3000; t += 10) {
      es.send(wire(range(ms, ms + 19)));
      ms += 20;
      vi.advanceTimersByTime(10);
    }
    vi.advanceTimersByTime(500);
    expect(received()).toHaveLength(6000);
    expect(new Set(received().map((e) => e.id)).size).toBe(6000);
    const gaps = flushTimes.slice(1).map((t, i) => t - (flushTimes[i] as number));
    expect(Math.min(...gaps)).toBeGreaterThanOrEqual(250);
    expect(Math.max(...gaps)).toBeLessThanOrEqual(500);
    expect(flushTimes.length).toBeGreaterThanOrEqual(3); // ≥ 1 Hz over 3 s
    expect(flushTimes.length).toBeLessThanOrEqual(12); // not one render per event
  });

  it('resumes after a drop and after a refused reconnect with no duplicate and no hole', async () => {
    client.open({ tenant_id: 'acme', stage: 'embed' });
    const first = FakeEventSource.latest();
    expect(first.url).toBe('/telemetry/stream?tenant_id=acme&stage=embed&access_token=tok-123');
    first.open();
    expect(client.getState().status).toBe('live');
    first.send(wire(range(1, 5)));

    // 1. The network drops; the browser reconnects by itself sending Last-Event-ID: 5-0,
    //    and this server resumes inclusively, so 5 arrives again before 6 and 7.
    first.fail(true);
    expect(client.getState().status).toBe('reconnecting');
    first.open();
    first.send(wire(range(5, 7)));

    // 2. The server restarts and refuses (503): the browser gives up; we retry with
    //    lastEventId in the query, and the replay overlaps again (6, 7).
    first.fail(false);
    await vi.advanceTimersByTimeAsync(0);
    expect(client.getState()).toMatchObject({ status: 'offline', error: { status: 503, message: 'storage unavailable' } });
    await vi.advanceTimersByTimeAsync(1000);
    const second = FakeEventSource.latest();
    expect(second).not.toBe(first);
    expect(second.url).toContain('lastEventId=7-0');
    expect(second.url).toContain('access_token=tok-123');
    second.open();
    second.send(wire(range(6, 9)));
    vi.advanceTimersByTime(300);

    expect(received().map((e) => e.seq)).toEqual(range(1, 9).map((e) => e.seq));
    expect(client.stats.duplicates).toBe(3);
    expect(client.getState()).toMatchObject({ status: 'live', error: null, lastEventId: '9-0' });
  });

  it('re-opens for new filters resuming after the last event, and ignores the old source', () => {
    client.open({ tenant_id: 'acme' });
    const first = FakeEventSource.latest();
    first.open();
    first.send(wire(range(1, 3)));
    vi.advanceTimersByTime(300);
    client.open({ tenant_id: 'acme' }); // same filters: no new connection
    expect(FakeEventSource.instances).toHaveLength(1);
    client.open({ tenant_id: 'acme', status: 'failed' });
    const second = FakeEventSource.latest();
    expect(second.url).toContain('status=failed');
    expect(second.url).toContain('lastEventId=3-0');
    first.send(wire(range(4, 4))); // a late frame from the closed source
    second.open();
    second.send(wire([makeEvent(5, { status: 'failed' })]));
    vi.advanceTimersByTime(300);
    expect(received().map((e) => e.seq)).toEqual(['1-0', '2-0', '3-0', '5-0']);
  });

  it('calls a long browser-side reconnect offline, and live again when it succeeds', () => {
    client.open({});
    const es = FakeEventSource.latest();
    es.open();
    es.fail(true);
    vi.advanceTimersByTime(7_000);
    expect(client.getState().status).toBe('reconnecting');
    vi.advanceTimersByTime(2_000);
    expect(client.getState()).toMatchObject({ status: 'offline', error: { status: 0 } });
    es.open();
    expect(client.getState()).toMatchObject({ status: 'live', error: null });
  });

  it('waits for the user when the server refuses for auth', async () => {
    client = new SseClient({
      createEventSource: (url) => new FakeEventSource(url),
      probe: async () => ({ status: 401, message: 'token expired' }),
      retryDelaysMs: [1000],
    });
    client.open({});
    FakeEventSource.latest().fail(false);
    await vi.advanceTimersByTimeAsync(5000);
    expect(FakeEventSource.instances).toHaveLength(1);
    expect(client.getState()).toMatchObject({ status: 'offline', retryAt: null, error: { status: 401 } });
    client.retry();
    expect(FakeEventSource.instances).toHaveLength(2);
  });

  it('stops at an end frame (credential revoked) without reconnecting, and shows why', async () => {
    client.open({});
    const es = FakeEventSource.latest();
    es.open();
    es.send('event: end\ndata: {"type":"end","reason":"credential revoked: api key revoked"}\n\n');
    expect(es.readyState).toBe(2);
    await vi.advanceTimersByTimeAsync(60_000);
    expect(FakeEventSource.instances).toHaveLength(1);
    expect(client.getState()).toMatchObject({
      status: 'offline',
      retryAt: null,
      error: { status: 401, message: 'credential revoked: api key revoked' },
    });
    expect(client.stats.malformed).toBe(0);
    client.retry();
    expect(FakeEventSource.instances).toHaveLength(2);
  });
});
