import http from 'node:http';
import zlib from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeEvent, sleep } from '../helper.ts';
import { authHeaders, countWhere, FULL, PrivatePostgres, PrivateRedis, type ServerProcess, spawnServer } from './support.ts';

/**
 * ≥ 10,000 generated bad requests, native (`/v1/events`) and OTLP (`/v1/traces`): broken
 * and truncated JSON, schema violations at every field, deep nesting, huge strings and
 * bodies, bad UTF-8, UTF-16 and Latin-1 bodies, wrong and missing content types, fake
 * gzip, garbage protobuf. Every one must get a 4xx (never a 5xx, never a hang), the
 * server must stay up, and nothing may be stored.
 */

interface Bad {
  kind: string;
  path: '/v1/events' | '/v1/traces';
  body: Buffer;
  headers: Record<string, string>;
}

const TENANT = 'malformed';
const json = (v: unknown) => Buffer.from(JSON.stringify(v));
const J = { 'content-type': 'application/json' };

function rng(seed: number) {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

/** A value of the wrong type for a field, whatever the field expects. */
const WRONG = [null, 42, -1, 1.5, true, '', [], {}, [1, 2], { a: 1 }, 'has space/and:colon', '2026-13-45T99 99', 'ünïcödé', '\u0000'];

/** JSON text nested `depth` objects deep (built as text: JSON.stringify would overflow). */
const nestedText = (depth: number) => `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`;
/** `JSON.stringify(v)` with the string "@@DEEP@@" replaced by raw JSON text. */
const withDeep = (v: unknown, deep: string) => Buffer.from(JSON.stringify(v).replace('"@@DEEP@@"', deep));
function nestedArrayText(depth: number) {
  return `${'['.repeat(depth)}1${']'.repeat(depth)}`;
}

function otlpSpan(over: Record<string, unknown> = {}) {
  return {
    traceId: '5b8efff798038103d269b633813fc60c',
    spanId: 'eee19b7ec3c1b174',
    name: 'chat gpt-4o',
    kind: 3,
    startTimeUnixNano: String(BigInt(Date.now()) * 1_000_000n),
    endTimeUnixNano: String(BigInt(Date.now() + 5) * 1_000_000n),
    attributes: [
      { key: 'gen_ai.operation.name', value: { stringValue: 'chat' } },
      { key: 'gen_ai.request.model', value: { stringValue: 'gpt-4o' } },
      { key: 'frostbyte.tenant_id', value: { stringValue: TENANT } },
    ],
    ...over,
  };
}
const otlp = (spans: unknown[], resourceAttrs: unknown[] = []) => ({ resourceSpans: [{ resource: { attributes: resourceAttrs }, scopeSpans: [{ scope: { name: 'x' }, spans }] }] });

export function generateBadPayloads(n: number, seed = 7): Bad[] {
  const r = rng(seed);
  const pick = <T>(a: readonly T[]) => a[Math.floor(r() * a.length)] as T;
  const out: Bad[] = [];
  const push = (kind: string, path: Bad['path'], body: Buffer | string, headers: Record<string, string> = J) =>
    out.push({ kind, path, body: Buffer.isBuffer(body) ? body : Buffer.from(body), headers });
  const event = () => makeEvent({ tenant_id: TENANT });
  const required = ['invocation_id', 'timestamp', 'stage', 'model_name', 'model_version', 'operation', 'status'];

  // Fixed corpus first (every category at least once), then seeded random ones.
  const fixed: (() => void)[] = [
    () => push('empty body', '/v1/events', ''),
    () => push('json null', '/v1/events', 'null'),
    () => push('json number', '/v1/events', '42'),
    () => push('json string', '/v1/events', '"events"'),
    () => push('top-level array', '/v1/events', json([event()])),
    () => push('events empty', '/v1/events', json({ events: [] })),
    () => push('events not array', '/v1/events', json({ events: event() })),
    () => push('extra top-level key', '/v1/events', json({ events: [event()], extra: 1 })),
    () => push('too many events', '/v1/events', json({ events: Array.from({ length: 5001 }, event) })),
    () => push('proto pollution', '/v1/events', `{"events":[{"__proto__":{"admin":true}}],"__proto__":{"x":1}}`),
    () => push('constructor pollution', '/v1/events', `{"events":[{"constructor":{"prototype":{"x":1}}}]}`),
    () => push('deep object nesting 100k (metadata)', '/v1/events', `{"events":[${JSON.stringify({ ...event(), metadata: {} }).slice(0, -3)}${'{"a":'.repeat(100_000)}1${'}'.repeat(100_000)}}}]}`),
    () => push('deep nesting 5k in trace input', '/v1/events', withDeep({ events: [{ ...event(), trace: { input: '@@DEEP@@' } }] }, nestedText(5000))),
    () => push('deep nesting 1k in metadata', '/v1/events', withDeep({ events: [{ ...event(), metadata: { m: '@@DEEP@@' } }] }, nestedText(1000))),
    () => push('deep nesting 20k in trace output', '/v1/events', withDeep({ events: [{ ...event(), trace: { output: '@@DEEP@@' } }] }, nestedText(20_000))),
    () => push('deep array nesting 100k', '/v1/events', `{"events":[${nestedArrayText(100_000)}]}`),
    () => push('body over 10 MiB', '/v1/events', json({ events: [{ ...event(), metadata: { big: 'x'.repeat(11 * 1024 * 1024) } }] })),
    () => push('huge model_name 1 MiB', '/v1/events', json({ events: [{ ...event(), model_name: 'm'.repeat(1024 * 1024) }] })),
    () => push('huge rationale 9 MiB', '/v1/events', json({ events: [{ ...event(), trace: { decision_rationale: 'r'.repeat(9 * 1024 * 1024) } }] })),
    () => push('huge metadata key', '/v1/events', json({ events: [{ ...event(), metadata: { ['k'.repeat(100_000)]: 1 } }] })),
    () => push('too many metadata keys', '/v1/events', json({ events: [{ ...event(), metadata: Object.fromEntries(Array.from({ length: 1000 }, (_, i) => [`k${i}`, i])) }] })),
    () => push('bad utf-8 in a string', '/v1/events', Buffer.concat([Buffer.from(`{"events":[${JSON.stringify({ ...event(), document_id: 'doc-' }).replace('"doc-"', '"doc-')}`), Buffer.from([0xff, 0xfe, 0xc3, 0x28]), Buffer.from('"}]}')].map((b, i) => (i === 0 ? Buffer.from(b.toString().replace(/"}$/, '')) : b)))),
    () => push('overlong utf-8 encoding', '/v1/events', Buffer.concat([Buffer.from(`{"events":[${JSON.stringify({ ...event(), document_id: 'X' }).replace('"X"', '"')}`), Buffer.from([0xc0, 0xaf]), Buffer.from('"}]}')])),
    () => push('lone surrogate utf-8 bytes', '/v1/events', Buffer.concat([Buffer.from(`{"events":[${JSON.stringify({ ...event(), document_id: 'X' }).replace('"X"', '"')}`), Buffer.from([0xed, 0xa0, 0x80]), Buffer.from('"}]}')])),
    () => push('utf-16le body', '/v1/events', Buffer.from(JSON.stringify({ events: [event()] }), 'utf16le'), { 'content-type': 'application/json; charset=utf-16' }),
    () => push('utf-16 with BOM', '/v1/events', Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(JSON.stringify({ events: [event()] }), 'utf16le')])),
    () => push('latin-1 body', '/v1/events', Buffer.from(JSON.stringify({ events: [{ ...event(), document_id: 'Müller-Lüdenscheidt' }] }), 'latin1'), { 'content-type': 'application/json; charset=iso-8859-1' }),
    () => push('text/plain', '/v1/events', json({ events: [event()] }), { 'content-type': 'text/plain' }),
    () => push('no content-type', '/v1/events', json({ events: [event()] }), {}),
    () => push('xml', '/v1/events', '<events><event/></events>', { 'content-type': 'application/xml' }),
    () => push('form', '/v1/events', 'events=1', { 'content-type': 'application/x-www-form-urlencoded' }),
    () => push('multipart', '/v1/events', '--b\r\nContent-Disposition: form-data; name="events"\r\n\r\n[]\r\n--b--', { 'content-type': 'multipart/form-data; boundary=b' }),
    () => push('fake gzip', '/v1/events', json({ events: [event()] }), { ...J, 'content-encoding': 'gzip' }),
    () => push('truncated gzip', '/v1/events', zlib.gzipSync(json({ events: [event()] })).subarray(0, 20), { ...J, 'content-encoding': 'gzip' }),
    () => push('gzip bomb', '/v1/events', zlib.gzipSync(Buffer.concat([Buffer.from('{"events":[{"metadata":{"x":"'), Buffer.alloc(64 * 1024 * 1024, 0x61), Buffer.from('"}}]}')])), { ...J, 'content-encoding': 'gzip' }),
    () => push('brotli encoding', '/v1/events', zlib.brotliCompressSync(json({ events: [event()] })), { ...J, 'content-encoding': 'br' }),
    () => push('otlp: not json', '/v1/traces', '{"resourceSpans": [', J),
    () => push('otlp: wrong shape', '/v1/traces', json({ resourceSpans: 'x' }), J),
    () => push('otlp: garbage protobuf', '/v1/traces', badProtobuf(r, 512), { 'content-type': 'application/x-protobuf' }),
    () => push('otlp: truncated protobuf varint', '/v1/traces', Buffer.from([0x0a, 0xff, 0xff, 0xff, 0xff, 0x0f]), { 'content-type': 'application/x-protobuf' }),
    () => push('otlp: deep kvlist nesting', '/v1/traces', withDeep(otlp([otlpSpan({ attributes: [{ key: 'deep', value: '@@DEEP@@' }] })]), nestedKvText(3000)), J),
    () => push('otlp: bad trace id', '/v1/traces', json(otlp([otlpSpan({ traceId: 'zz' })])), J),
    () => push('otlp: huge attribute', '/v1/traces', json(otlp([otlpSpan({ attributes: [{ key: 'gen_ai.request.model', value: { stringValue: 'm'.repeat(2 * 1024 * 1024) } }] })])), J),
    () => push('otlp: bad times', '/v1/traces', json(otlp([otlpSpan({ startTimeUnixNano: 'soon', endTimeUnixNano: -5 })])), J),
    () => push('otlp: text/plain', '/v1/traces', json(otlp([otlpSpan()])), { 'content-type': 'text/plain' }),
    () => push('otlp: bad utf-8', '/v1/traces', Buffer.concat([Buffer.from('{"resourceSpans":[{"scopeSpans":[{"spans":[{"name":"'), Buffer.from([0xff, 0xff]), Buffer.from('"}]}]}]}')]), J),
  ];
  for (const f of fixed) f();

  const generators: [string, () => void][] = [
    [
      'wrong type at a field',
      () => {
        const e: Record<string, unknown> = event();
        const f = pick(required);
        e[f] = pick(WRONG.filter((w) => !(f === 'status' && w === 'x')));
        push(`wrong type: ${f}`, '/v1/events', json({ events: [e] }));
      },
    ],
    [
      'missing required field',
      () => {
        const e: Record<string, unknown> = event();
        delete e[pick(required)];
        push('missing field', '/v1/events', json({ events: [e] }));
      },
    ],
    [
      'bad value',
      () => {
        const bad: [string, unknown][] = [
          ['status', 'exploded'], ['input_tokens', -5], ['output_tokens', 1.5], ['duration_ms', -1], ['duration_ms', 1e12],
          ['tenant_id', 'UPPER case!'], ['tenant_id', 'a'.repeat(200)], ['stage', 'has space'], ['model_name', ''],
          ['invocation_id', '00000000-0000-0000-0000-00000000000g'], ['id', 'x'], ['timestamp', 'yesterday'],
          ['timestamp', '1999-01-01T00:00:00Z'], ['timestamp', '2999-01-01T00:00:00Z'], ['confidence', 2], ['error', { type: 1 }],
          ['trace', { confidence_score: 7 }], ['trace', { input: 1, extra: true }], ['metadata', []], ['metadata', 'str'],
          ['pipeline_run_id', ''], ['document_id', 'd'.repeat(300)], ['unknown_field', 1],
        ];
        const [k, v] = pick(bad);
        push(`bad value: ${k}`, '/v1/events', json({ events: [{ ...event(), [k]: v }] }));
      },
    ],
    [
      'truncated json',
      () => {
        const s = JSON.stringify({ events: [event(), event()] });
        push('truncated', '/v1/events', s.slice(0, 1 + Math.floor(r() * (s.length - 2))));
      },
    ],
    [
      'corrupted json syntax',
      () => {
        // Corrupt at a structural position (outside strings), where any of these breaks the syntax.
        const s = JSON.stringify({ events: [event()] });
        const at: number[] = [];
        let inStr = false;
        for (let i = 0; i < s.length; i++) {
          const c = s[i] as string;
          if (c === '"' && s[i - 1] !== '\\') inStr = !inStr;
          else if (!inStr && '{}[],:'.includes(c)) at.push(i);
        }
        const i = pick(at);
        push('syntax', '/v1/events', `${s.slice(0, i)}${pick(['}', ']', ',,', '::', 'NaN', 'undefined', "'"])}${s.slice(i)}`);
      },
    ],
    [
      'bad utf-8 at a random place',
      () => {
        const s = Buffer.from(JSON.stringify({ events: [event()] }));
        const i = 12 + Math.floor(r() * (s.length - 14));
        push('bad utf-8', pick(['/v1/events', '/v1/traces'] as const), Buffer.concat([s.subarray(0, i), Buffer.from([pick([0x80, 0xbf, 0xc0, 0xc1, 0xf5, 0xff, 0xfe])]), s.subarray(i)]));
      },
    ],
    [
      'all-bad batch',
      () => {
        const events = Array.from({ length: 1 + Math.floor(r() * 20) }, () => ({ ...event(), status: pick(['x', 1, null]) }));
        push('all-bad batch', '/v1/events', json({ events }));
      },
    ],
    [
      'wrong content type',
      () => push('content type', pick(['/v1/events', '/v1/traces'] as const), json({ events: [event()] }), { 'content-type': pick(['text/html', 'application/octet-stream', 'image/png', 'application/json-patch+json', 'text/csv']) }),
    ],
    [
      'otlp span with bad field',
      () => {
        // The fields the conversion needs; a wrong type there can never make a model event.
        const k = pick(['traceId', 'spanId', 'startTimeUnixNano', 'endTimeUnixNano', 'attributes']);
        const v = k === 'attributes' ? pick([42, true, { a: 1 }]) : pick(WRONG.filter((w) => typeof w !== 'number' || k === 'traceId' || k === 'spanId'));
        push(`otlp bad ${k}`, '/v1/traces', json(otlp([otlpSpan({ [k]: v })])));
      },
    ],
    [
      'otlp garbage protobuf',
      () => push('otlp protobuf garbage', '/v1/traces', badProtobuf(r, 1 + Math.floor(r() * 300)), { 'content-type': 'application/x-protobuf' }),
    ],
  ];
  while (out.length < n) {
    const [, g] = pick(generators);
    g();
  }
  return out;
}

/** A length-delimited field claiming more bytes than follow: never decodable. */
function badProtobuf(r: () => number, n: number): Buffer {
  const rest = Array.from({ length: n }, () => Math.floor(r() * 256));
  return Buffer.from([0x0a, 0xff, 0xff, 0x7f, ...rest]);
}

function nestedKvText(depth: number): string {
  return `${'{"kvlistValue":{"values":[{"key":"k","value":'.repeat(depth)}{"stringValue":"leaf"}${'}]}}'.repeat(depth)}`;
}

function send(base: string, b: Bad, agent: http.Agent): Promise<number> {
  return new Promise((resolve) => {
    const req = http.request(`${base}${b.path}`, { method: 'POST', agent, headers: { ...authHeaders(), ...b.headers, 'content-length': b.body.length }, timeout: 30_000 }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
      res.on('error', () => resolve(-1));
    });
    // The server may answer (413, 415) and close before reading all of a large body.
    req.on('error', () => resolve(-1));
    req.on('timeout', () => {
      req.destroy();
      resolve(-2);
    });
    req.end(b.body);
  });
}

describe('fault: malformed input', () => {
  let pgsql: PrivatePostgres;
  let redis: PrivateRedis;
  let server: ServerProcess;
  let db: string;
  beforeAll(async () => {
    [pgsql, redis] = await Promise.all([PrivatePostgres.start(), PrivateRedis.start()]);
    db = await pgsql.createDatabase();
    server = await spawnServer({ databaseUrl: db, redisUrl: redis.url, redisPrefix: 'malformed' });
  });
  afterAll(async () => {
    await server?.stop();
    await Promise.all([pgsql?.destroy(), redis?.destroy()]);
  });

  it(`${FULL ? 20_000 : 10_000} generated bad payloads: each a 4xx, the server stays up, nothing stored`, async () => {
    const payloads = generateBadPayloads(FULL ? 20_000 : 10_000);
    const agent = new http.Agent({ keepAlive: true, maxSockets: 8 });
    const byStatus: Record<string, number> = {};
    const not4xx: { kind: string; status: number }[] = [];
    let next = 0;
    await Promise.all(
      Array.from({ length: 8 }, async () => {
        while (next < payloads.length) {
          const b = payloads[next++] as Bad;
          let status = await send(server.url, b, agent);
          // A connection reset while the server refused a huge body early: ask again
          // with a fresh connection to learn the status it sends.
          if (status === -1) status = await send(server.url, b, new http.Agent({ keepAlive: false }));
          byStatus[status] = (byStatus[status] ?? 0) + 1;
          if (status < 400 || status >= 500) not4xx.push({ kind: b.kind, status });
        }
      }),
    );
    agent.destroy();
    const alive = (await fetch(`${server.url}/healthz`)).status;
    await sleep(1500); // anything wrongly accepted would reach the database by now
    const stored = await countWhere(db, 'true');
    const exited = await Promise.race([server.exited.then(() => true), sleep(10).then(() => false)]);
    const kinds = [...new Set(payloads.map((p) => p.kind.split(':')[0]))].length;
    console.log(
      `[faults] malformed: sent=${payloads.length} (${kinds} kinds; native ${payloads.filter((p) => p.path === '/v1/events').length}, OTLP ${payloads.filter((p) => p.path === '/v1/traces').length}) ` +
        `statuses=${JSON.stringify(byStatus)} not_4xx=${not4xx.length} stored=${stored} server_alive=${alive === 200 && !exited}`,
    );
    if (not4xx.length) console.log(`[faults] malformed: not 4xx by kind: ${JSON.stringify(tally(not4xx.map((x) => `${x.kind} → ${x.status}`)))}`);
    expect(payloads.length).toBeGreaterThanOrEqual(10_000);
    expect(not4xx).toEqual([]);
    expect(alive).toBe(200);
    expect(exited).toBe(false);
    expect(stored).toBe(0);
  });

  // Runs after the test above (which counts every stored row): these store good events.
  it('schema-valid events that storage or hashing would refuse: each a 4xx naming the field, the good ones beside them stored', async () => {
    const ev = (over: Record<string, unknown> = {}) => ({ ...makeEvent({ tenant_id: TENANT }), ...over });
    // Raw JSON text where JSON.stringify cannot say it (1e400 parses to Infinity).
    const hostile: { kind: string; text: string; field: RegExp }[] = [
      ...[
        ['metadata value NUL', { metadata: { note: 'a\u0000b' } }, /metadata\/note/],
        ['metadata key NUL', { metadata: { 'k\u0000': 1 } }, /metadata\/k/],
        ['nested metadata lone surrogate', { metadata: { a: [{ b: '\ud800' }] } }, /metadata\/a\/0\/b/],
        ['document_id NUL', { document_id: 'doc\u0000' }, /document_id/],
        ['pipeline_run_id NUL', { pipeline_run_id: 'run\u0000' }, /pipeline_run_id/],
        ['error.message NUL', { status: 'failed', error: { type: 'E', message: 'boom\u0000' } }, /error\/message/],
        ['trace input lone surrogate', { trace: { input: { q: '\udc00' } } }, /trace\/input\/q/],
        ['pages overflow', { metadata: { pages: 2.4e12 } }, /metadata\/pages/],
        ['pages negative', { metadata: { pages: -1e12 } }, /metadata\/pages/],
        ['cached tokens overflow', { metadata: { cached_input_tokens: 1e15 } }, /metadata\/cached_input_tokens/],
        ['confidence below float4', { trace: { confidence_score: 5e-324 } }, /trace\/confidence_score/],
        ['emitted_at year 0000', { emitted_at: '0000-01-01T00:00:00Z' }, /emitted_at/],
      ].map(([kind, over, field]) => ({ kind: kind as string, text: JSON.stringify(ev(over as Record<string, unknown>)), field: field as RegExp })),
      { kind: 'metadata 1e400', text: JSON.stringify(ev({ metadata: { x: '@@' } })).replace('"@@"', '1e400'), field: /metadata\/x/ },
      { kind: 'nested -1e400', text: JSON.stringify(ev({ metadata: { a: { b: ['@@'] } } })).replace('"@@"', '-1e400'), field: /metadata\/a\/b\/0/ },
    ];
    const post = async (texts: string[]) => {
      const res = await fetch(`${server.url}/v1/events`, { method: 'POST', headers: { ...J, ...authHeaders() }, body: `{"events":[${texts.join(',')}]}` });
      return { status: res.status, body: (await res.json()) as { accepted_ids?: string[]; rejected?: { index: number; errors: { path: string; message: string }[] }[]; message?: string } };
    };
    const good: string[] = [];
    const wrong: string[] = [];
    for (const h of hostile) {
      const alone = await post([h.text]);
      // The message writes the path dotted (events[0].metadata.note); the regexes are pointers.
      if (alone.status !== 400 || !h.field.test((alone.body.message ?? '').replace(/\./g, '/'))) wrong.push(`${h.kind} alone → ${alone.status} ${alone.body.message}`);
      const ok = ev();
      const mixed = await post([JSON.stringify(ok), h.text]);
      const refused = mixed.body.rejected?.[0];
      if (mixed.status !== 202 || refused?.index !== 1 || !h.field.test(refused.errors[0]?.path ?? '')) {
        wrong.push(`${h.kind} mixed → ${mixed.status} ${JSON.stringify(mixed.body.rejected)}`);
      }
      good.push(ok.id);
    }
    // OTLP: the converted events go through the same check; the span is named in partialSuccess.
    const span = otlpSpan({ spanId: 'aaa19b7ec3c1b174', status: { code: 2, message: 'bad\u0000' } });
    const otlp = await fetch(`${server.url}/v1/traces`, {
      method: 'POST',
      headers: { ...J, ...authHeaders() },
      body: JSON.stringify({ resourceSpans: [{ scopeSpans: [{ spans: [span, otlpSpan({ spanId: 'bbb19b7ec3c1b174' })] }] }] }),
    });
    const otlpBody = (await otlp.json()) as { partialSuccess?: { errorMessage?: string } };
    if (otlp.status !== 200 || !/error\/message/.test(otlpBody.partialSuccess?.errorMessage ?? '')) wrong.push(`otlp status.message NUL → ${otlp.status} ${JSON.stringify(otlpBody)}`);
    const alive = (await fetch(`${server.url}/healthz`)).status;
    await sleep(1500);
    const stored = await countWhere(db, 'id = ANY($1::uuid[])', [good]);
    console.log(`[faults] malformed storable: hostile=${hostile.length} wrong=${wrong.length} good_stored=${stored}/${good.length} alive=${alive === 200}`);
    expect(wrong).toEqual([]);
    expect(stored).toBe(good.length);
    expect(alive).toBe(200);
  });
});

function tally(xs: string[]) {
  const m: Record<string, number> = {};
  for (const x of xs) m[x] = (m[x] ?? 0) + 1;
  return m;
}
