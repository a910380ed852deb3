import { randomBytes } from 'node:crypto';
import { SseFrame as SseFrameSchema } from '@frostbyte/contracts';
import { Value } from '@sinclair/typebox/value';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { credentialWatchFor } from '../../src/live/credential-watch.ts';
import { makeEvent, postEvents, sleep, startServer, uniq, until } from '../helper.ts';
import { call, ingestKey, userToken } from './support.ts';

/**
 * Issue 12, item 5: a live session ends with its credential. Two app instances share
 * one PostgreSQL database, one Redis stream prefix and one JWT secret (the scale-out
 * deployment of docs/scale-out.md, in one test process): a user's SSE streams and
 * WebSocket tracer sessions, on the instance that handles the disable and on the other
 * one, end within 5 s, the SSE stream with a last `end` frame saying why and the
 * WebSocket with close code 4401; nothing posted after the disable reaches them, and a
 * reconnect is refused. The fallback is tested on its own: a disable written straight
 * into the database (no process invalidates anything, no notice is sent) ends the
 * sessions through the periodic re-check. An ingest key holds no live permission, so
 * its revocation is checked on the watch itself, across the two instances.
 */

const adminTokenOf = (s: { config: { adminToken: string | null } }) => s.config.adminToken as string;
/** Longer than one re-check period (RECHECK_MS, 2 s). */
const RECHECK_ROUND_MS = 2500;
/** Longer than one re-check period (RECHECK_MS, 2 s). */

type SseFrame = { event: string; data: string };
/** A raw SSE reader: every frame, and when the server ended the response. */
function openSse(url: string) {
  const frames: SseFrame[] = [];
  const ctl = new AbortController();
  let endedAt: number | null = null;
  let status = 0;
  const opened = globalThis.fetch(url, { signal: ctl.signal }).then(async (res) => {
    status = res.status;
    if (!res.body) return;
    const reader = res.body.getReader();
    const dec = new TextDecoder();
    let buf = '';
    const pump = async () => {
      try {
        for (;;) {
          const { done, value } = await reader.read();
          if (done) break;
          buf += dec.decode(value, { stream: true });
          let i = buf.indexOf('\n\n');
          while (i >= 0) {
            const block = buf.slice(0, i);
            buf = buf.slice(i + 2);
            const event = /^event: (.*)$/m.exec(block)?.[1];
            const data = /^data: (.*)$/m.exec(block)?.[1];
            if (event && data !== undefined) frames.push({ event, data });
            i = buf.indexOf('\n\n');
          }
        }
        endedAt = Date.now();
      } catch {
        // aborted by the test
      }
    };
    void pump();
  });
  return {
    frames,
    opened,
    get status() {
      return status;
    },
    get endedAt() {
      return endedAt;
    },
    close: () => ctl.abort(),
  };
}

function openWs(base: string, token: string, document_id: string) {
  const ws = new WebSocket(`${base.replace('http', 'ws')}/v1/tracer/ws?access_token=${encodeURIComponent(token)}`);
  const messages: string[] = [];
  const state = { closedAt: null as number | null, code: 0, reason: '' };
  ws.on('message', (d: Buffer) => messages.push(d.toString()));
  ws.on('close', (code: number, reason: Buffer) => {
    state.closedAt = Date.now();
    state.code = code;
    state.reason = reason.toString();
  });
  const opened = new Promise<void>((resolve, reject) => {
    ws.on('open', () => {
      ws.send(JSON.stringify({ type: 'follow', document_id }));
      resolve();
    });
    ws.on('error', reject);
  });
  return { ws, messages, state, opened };
}

describe('live sessions end with their credential (two instances, one PostgreSQL and Redis)', () => {
  let a: Awaited<ReturnType<typeof startServer>>;
  let b: Awaited<ReturnType<typeof startServer>>;
  const tenant = uniq('se');
  const jwtSecret = randomBytes(32).toString('hex');
  let keyA: string;

  beforeAll(async () => {
    a = await startServer('server', { jwtSecret });
    b = await startServer('server', { jwtSecret, databaseUrl: a.config.databaseUrl, redisPrefix: a.config.redisPrefix });
    keyA = (await ingestKey(a.url, tenant)).key;
  });
  afterAll(async () => {
    await b?.close({ keepData: true });
    await a?.close();
  });

  /** Posts one event of the tenant every 100 ms (document `doc`) until stopped; returns the ids. */
  function feed(doc: string) {
    const sent: { id: string; at: number }[] = [];
    let on = true;
    const done = (async () => {
      while (on) {
        const e = makeEvent({ tenant_id: tenant, document_id: doc });
        const r = await postEvents(a.url, [e], { authorization: `Bearer ${keyA}` });
        if (r.status === 202) sent.push({ id: e.id, at: Date.now() });
        await sleep(100);
      }
    })();
    return {
      sent,
      stop: async () => {
        on = false;
        await done;
      },
    };
  }

  /** Opens an SSE stream and a WS session on each instance, and waits until all four see the feed. */
  async function openAll(token: string, doc: string) {
    const sessions = [a, b].map((s) => ({
      sse: openSse(`${s.url}/telemetry/stream?tenant_id=${tenant}&access_token=${encodeURIComponent(token)}`),
      ws: openWs(s.url, token, doc),
    }));
    await Promise.all(sessions.flatMap((x) => [x.sse.opened, x.ws.opened]));
    for (const x of sessions) expect(x.sse.status).toBe(200);
    return sessions;
  }

  const sawLive = (sessions: Awaited<ReturnType<typeof openAll>>) =>
    sessions.every((x) => x.sse.frames.some((f) => f.event === 'model_event') && x.ws.messages.some((m) => m.includes('"type":"event"')));

  async function assertEnded(sessions: Awaited<ReturnType<typeof openAll>>, at: number, f: ReturnType<typeof feed>) {
    await until(
      () => sessions.flatMap((x) => [x.sse.endedAt, x.ws.state.closedAt]),
      (v) => v.every((t) => t !== null),
      8000,
    );
    await sleep(500); // anything still to arrive would arrive now
    await f.stop();
    const after = new Set(
      f.sent.filter((s) => s.at > Math.max(...sessions.flatMap((x) => [x.sse.endedAt ?? 0, x.ws.state.closedAt ?? 0]))).map((s) => s.id),
    );
    expect(after.size).toBeGreaterThan(0); // the feed kept going: the sessions could have seen more
    const report: string[] = [];
    for (const [i, x] of sessions.entries()) {
      const sseMs = (x.sse.endedAt as number) - at;
      const wsMs = (x.ws.state.closedAt as number) - at;
      report.push(`${i === 0 ? 'A' : 'B'}: sse ${sseMs} ms, ws ${wsMs} ms`);
      expect(sseMs).toBeLessThan(5000);
      expect(wsMs).toBeLessThan(5000);
      const last = x.sse.frames[x.sse.frames.length - 1] as SseFrame;
      expect(last.event).toBe('end');
      expect(JSON.parse(last.data)).toMatchObject({ type: 'end', reason: expect.stringContaining('credential revoked') });
      expect(Value.Check(SseFrameSchema, JSON.parse(last.data))).toBe(true); // the frame is in the published contract
      expect(x.ws.state.code).toBe(4401);
      expect(x.ws.state.reason).toContain('credential revoked');
      for (const fr of x.sse.frames) for (const id of after) expect(fr.data).not.toContain(id);
      for (const m of x.ws.messages) for (const id of after) expect(m).not.toContain(id);
    }
    console.log(`[session-end] closed after the disable: ${report.join('; ')}`);
  }

  it('disabling a user through A ends its SSE streams and WebSocket sessions on A and on B within 5 s', async () => {
    const user = await userToken(a.url, 'viewer', [tenant]);
    const doc = uniq('doc-');
    const f = feed(doc);
    const sessions = await openAll(user.token, doc);
    await until(() => sawLive(sessions), Boolean, 10_000);
    const at = Date.now();
    const r = await call(`${a.url}/v1/admin/users/${user.id}/disable`, adminTokenOf(a), { method: 'POST', body: '{}' });
    expect(r.status).toBe(200);
    await assertEnded(sessions, at, f);
    // A reconnect is refused on both instances, at once (B's credential cache was cleared by the notice).
    for (const s of [a, b])
      expect((await call(`${s.url}/telemetry/stream?access_token=${encodeURIComponent(user.token)}`, null)).status).toBe(401);
  });

  it('without any notice (a disable written straight into the database) the periodic re-check still ends them within 5 s', async () => {
    const user = await userToken(a.url, 'operator', [tenant]);
    const doc = uniq('doc-');
    const f = feed(doc);
    const sessions = await openAll(user.token, doc);
    await until(() => sawLive(sessions), Boolean, 10_000);
    const owner = new pg.Client({ connectionString: a.config.databaseUrl as string });
    await owner.connect();
    const at = Date.now();
    await owner.query('UPDATE users SET disabled_at = now() WHERE id = $1', [user.id]);
    await owner.end();
    await assertEnded(sessions, at, f);
  });

  it('revoking an ingest key through B ends a session held with it on A within 5 s', async () => {
    const k = await ingestKey(a.url, tenant);
    const ctx = await a.app.auth.authenticate(k.key);
    let endedAt: number | null = null;
    let why = '';
    const unwatch = credentialWatchFor(a.app).add({
      ctx,
      permission: 'session:read',
      end: (reason) => {
        endedAt = Date.now();
        why = reason;
      },
    });
    await sleep(RECHECK_ROUND_MS); // one round passes without ending a valid key
    expect(endedAt).toBeNull();
    const at = Date.now();
    const r = await call(`${b.url}/v1/admin/keys/${k.id}/revoke`, adminTokenOf(b), { method: 'POST', body: '{}' });
    expect(r.status).toBe(200);
    await until(
      () => endedAt,
      (t) => t !== null,
      8000,
    );
    unwatch();
    expect((endedAt as unknown as number) - at).toBeLessThan(5000);
    expect(why).toContain('API key is unknown or revoked');
  });
});
