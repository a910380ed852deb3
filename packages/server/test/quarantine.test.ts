import { Redis } from 'ioredis';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MemoryBus } from '../src/bus/memory-bus.ts';
import { classifyWriteError, EventWriter, writerStall, type WriterStats } from '../src/ingest/writer.ts';
import type { EventRecord } from '../src/kernel/event-record.ts';
import { pgSafeJson, pgSafeText, QuarantineRepository } from '../src/storage/quarantine.ts';
import { getJson, type Json, makeEvent, makeStorage, postEvents, REDIS_URL, startServer, TEST_ADMIN_TOKEN, uniq, until } from './helper.ts';
import { call, userToken } from './security/support.ts';
import { record } from './shared-suites/records.ts';

/**
 * Issue 12, item 3: the writer can't wedge and can't lose. Records go straight onto
 * the real bus (bypassing ingest's validation: old entries, other producers, bugs):
 * good ones with poison in the middle. The good ones are stored, each poison is in
 * the quarantine (visible to its tenant only), counted, alerted, and nothing behind
 * it waits.
 */

const metric = (text: string, name: string) =>
  Number(new RegExp(`^${name}(?:\\{[^}]*\\})? ([\\d.e+-]+)$`, 'm').exec(text)?.[1] ?? Number.NaN);
const metrics = async (url: string) => (await fetch(`${url}/metrics`)).text();

/** Publishes onto the server's own bus as another producer would: the memory ring's
 * append, or XADD on the Redis stream (JSON text written by hand, so `1e400` reaches
 * the writer as Infinity, which JSON.stringify could not write). */
async function publish(s: Awaited<ReturnType<typeof startServer>>, records: { r: EventRecord; raw?: string }[]) {
  if (!s.config.redisUrl) {
    await s.app.bus.append(records.map((x) => x.r));
    return;
  }
  const redis = new Redis(REDIS_URL);
  try {
    const m = redis.multi();
    for (const x of records) m.xadd(`${s.config.redisPrefix}:events`, '*', 'e', x.raw ?? JSON.stringify(x.r.event));
    await m.exec();
  } finally {
    redis.disconnect();
  }
}

describe.each(['embedded', 'server'] as const)('writer quarantine (%s)', (mode) => {
  let s: Awaited<ReturnType<typeof startServer>>;
  beforeAll(async () => {
    s = await startServer(mode, { alertEvaluateMs: 0 });
  }, 60_000);
  afterAll(() => s?.close());

  it('stores the good records around poison, quarantines the poison for its tenant only, counts and alerts it, and blocks nothing', async () => {
    const ta = uniq('qa');
    const tb = uniq('qb');
    const good = Array.from({ length: 40 }, (_, i) => record({ tenant_id: i % 4 === 3 ? tb : ta }));
    const nul = record({ tenant_id: ta, document_id: 'doc\u0000nul' });
    const inf = record({ tenant_id: ta });
    inf.event.metadata = { x: Number.POSITIVE_INFINITY };
    const overflow = record({ tenant_id: ta });
    overflow.event.cost_usd = 1e20; // numeric(18, 9) holds < 1e9
    const poison = [
      { r: nul },
      { r: inf, raw: JSON.stringify({ ...inf.event, metadata: { x: '__INF__' } }).replace('"__INF__"', '1e400') },
      { r: overflow },
    ];
    const before = metric(await metrics(s.url), 'fmo_writer_quarantined_total');
    await publish(s, [
      ...good.slice(0, 15).map((r) => ({ r })),
      poison[0],
      ...good.slice(15, 25).map((r) => ({ r })),
      poison[1],
      poison[2],
      ...good.slice(25).map((r) => ({ r })),
    ] as { r: EventRecord; raw?: string }[]);

    // Every good record is stored.
    const stored = async () => {
      const rows = [...(await s.app.storage.listEvents([ta, tb], { limit: 500 }))];
      return new Set(rows.map((e) => e.id));
    };
    const ids = await until(stored, (set) => good.every((r) => set.has(r.event.id)), 20_000);
    for (const p of poison) expect(ids.has(p.r.event.id)).toBe(false);

    // The poison is in the quarantine, with why.
    const q = await until(
      () => getJson(`${s.url}/v1/quarantine?tenant_id=${ta}`),
      (b) => b.records?.length === 3,
      20_000,
    );
    const byEvent = new Map(q.records.map((r: { event_id: string }) => [r.event_id, r]));
    for (const p of poison) expect(byEvent.get(p.r.event.id)).toMatchObject({ tenant_id: ta, attempts: 1 });
    const nulRow = byEvent.get(nul.event.id) as { sqlstate: string; record: string };
    expect(nulRow.sqlstate).toMatch(/^22/);
    // Held as the bus held it, made safe: the NUL as an escape, Infinity as a string.
    expect(JSON.parse(nulRow.record).record.event.document_id).toBe('doc\u0000nul');
    const infRow = byEvent.get(inf.event.id) as { sqlstate: string | null; record: string; error: string };
    expect(infRow.sqlstate).toBeNull();
    expect(JSON.parse(infRow.record).record.event.metadata.x).toBe('Infinity');
    expect((byEvent.get(overflow.event.id) as { sqlstate: string }).sqlstate).toBe('22003');

    // Its tenant's viewer sees it; another tenant's viewer sees nothing, not even by id.
    const va = await userToken(s.url, 'viewer', [ta]);
    const vb = await userToken(s.url, 'viewer', [tb]);
    const asA = await call(`${s.url}/v1/quarantine`, va.token);
    expect(asA.status).toBe(200);
    expect(asA.body.records.map((r: { event_id: string }) => r.event_id).sort()).toEqual(poison.map((p) => p.r.event.id).sort());
    const asB = await call(`${s.url}/v1/quarantine`, vb.token);
    expect(asB).toMatchObject({ status: 200, body: { records: [] } });
    const one = q.records[0] as { id: string };
    expect((await call(`${s.url}/v1/quarantine/${one.id}`, va.token)).status).toBe(200);
    expect((await call(`${s.url}/v1/quarantine/${one.id}`, vb.token)).status).toBe(404);
    // Paginated, bounded, bad input named.
    const page = await getJson(`${s.url}/v1/quarantine?tenant_id=${ta}&limit=2`);
    expect(page.records).toHaveLength(2);
    const rest = await getJson(`${s.url}/v1/quarantine?tenant_id=${ta}&limit=2&cursor=${page.next_cursor}`);
    expect(rest.records).toHaveLength(1);
    expect(rest.next_cursor).toBeNull();
    const tooMany = await call(`${s.url}/v1/quarantine?limit=100000`, TEST_ADMIN_TOKEN);
    expect(tooMany.status).toBe(400);
    expect(tooMany.body.message).toMatch(/limit/);
    const badCursor = await call(`${s.url}/v1/quarantine?cursor=bm9wZQ`, TEST_ADMIN_TOKEN);
    expect(badCursor.status).toBe(400);
    expect(badCursor.body.message).toMatch(/cursor/);

    // Counted in /metrics (from the writer thread too).
    const text = await until(
      () => metrics(s.url),
      (t) => metric(t, 'fmo_writer_quarantined_total') - (Number.isNaN(before) ? 0 : before) >= 3,
      10_000,
    );
    expect(metric(text, 'fmo_writer_quarantine_rows')).toBeGreaterThanOrEqual(3);

    // Alerted, for its tenant.
    await s.app.alerts.evaluate();
    const alerts = await getJson(`${s.url}/v1/alerts?tenant_id=${ta}&state=active`);
    const alert = alerts.alerts.find((a: { rule: string }) => a.rule === 'writer_quarantine');
    expect(alert).toMatchObject({ tenant_id: ta, severity: 'critical', details: { quarantined: 3 } });
    const others = await getJson(`${s.url}/v1/alerts?tenant_id=${tb}&state=active`);
    expect(others.alerts.find((a: { rule: string }) => a.rule === 'writer_quarantine')).toBeUndefined();

    // Nothing behind it waits: a POST (embedded: answered after the commit) is prompt.
    const t0 = Date.now();
    const later = makeEvent({ tenant_id: tb });
    const res = await postEvents(s.url, [later]);
    expect(res.status).toBe(202);
    expect(Date.now() - t0).toBeLessThan(5000);
    await until(
      () => s.app.storage.getEvent([tb], later.id),
      (e) => e !== null,
      10_000,
    );

    // And the writer is ready, and says what it quarantined.
    const ready = await until(
      () => fetch(`${s.url}/readyz`).then(async (r) => ({ status: r.status, body: (await r.json()) as Json })),
      (r) => r.body.writer?.quarantined >= 3,
      10_000,
    );
    expect(ready.status).toBe(200);
    expect(ready.body.writer).toMatchObject({ stalled: null, quarantine_failures: 0 });
    expect(ready.body.writer.last_commit_age_s).toBeLessThan(30);
  }, 90_000);

  it.runIf(mode === 'server')(
    'an entry the bus cannot decode is quarantined (tenant unknown: admins only), not retried forever',
    async () => {
      const redis = new Redis(REDIS_URL);
      let ids: string[];
      try {
        ids = [
          (await redis.xadd(`${s.config.redisPrefix}:events`, '*', 'e', '{"id": "broken', 't', '')) as string,
          (await redis.xadd(`${s.config.redisPrefix}:events`, '*', 'x', 'no event field')) as string,
        ];
      } finally {
        redis.disconnect();
      }
      const after = makeEvent({ tenant_id: uniq('qd') });
      expect((await postEvents(s.url, [after])).status).toBe(202);
      await until(
        () => s.app.storage.getEvent('*', after.id),
        (e) => e !== null,
        10_000,
      );
      const rows = await until(
        () => s.app.services.quarantine.list('*', { limit: 500 }),
        (r) => ids.every((id) => r.records.some((x) => x.seq === id)),
        10_000,
      );
      const broken = rows.records.find((x) => x.seq === ids[0]);
      expect(broken).toMatchObject({ tenant_id: null });
      expect(broken?.record).toContain('broken');
      const viewer = await userToken(s.url, 'viewer', ['acme']);
      expect((await call(`${s.url}/v1/quarantine/${broken?.id}`, viewer.token)).status).toBe(404);
      await until(
        () => s.app.bus.backlog(),
        (n) => n === 0,
        10_000,
      );
    },
  );

  it('a replay of a quarantined bus entry counts an attempt instead of adding a row', async () => {
    const t = uniq('qr');
    const bad = record({ tenant_id: t, document_id: 'x\u0000y' });
    const seq = `${Date.now()}-7`;
    await s.app.services.quarantine.put({ seq, record: bad }, { sqlstate: '22021', message: 'first' });
    await s.app.services.quarantine.put({ seq, record: bad }, { sqlstate: '22021', message: 'second' });
    const rows = await getJson(`${s.url}/v1/quarantine?tenant_id=${t}`);
    expect(rows.records).toHaveLength(1);
    expect(rows.records[0]).toMatchObject({ attempts: 2, error: 'second', seq });
  });
});

describe.each([
  ['writer thread', true],
  ['writer loops in the server process', false],
] as const)('a writer that cannot commit turns /readyz to 503 (server mode, %s)', (_name, writerThread) => {
  let s: Awaited<ReturnType<typeof startServer>>;
  beforeAll(async () => {
    s = await startServer('server', { writerStallMs: 1500, alertEvaluateMs: 0, writerThread });
  }, 60_000);
  afterAll(() => s?.close());

  it('reports the stall within the threshold with the writer figures, and recovers once the batch commits', async () => {
    expect((await fetch(`${s.url}/readyz`)).status).toBe(200);
    // Another session holds a lock that lets reads through but blocks every insert.
    const blocker = new pg.Client({ connectionString: s.config.databaseUrl as string });
    await blocker.connect();
    try {
      await blocker.query('BEGIN');
      await blocker.query('LOCK TABLE model_events IN EXCLUSIVE MODE');
      const e = makeEvent({ tenant_id: uniq('st') });
      expect((await postEvents(s.url, [e])).status).toBe(202);
      const t0 = Date.now();
      const stalled = await until(
        () => fetch(`${s.url}/readyz`).then(async (r) => ({ status: r.status, body: (await r.json()) as Json })),
        (r) => r.status === 503,
        1500 + 4000,
        100,
      );
      expect(Date.now() - t0).toBeLessThan(1500 + 4000);
      expect(stalled.body.reason).toMatch(/held a batch for \d+ s without committing/);
      expect(stalled.body.db).toBe('ok');
      expect(stalled.body.writer.busy_s).toBeGreaterThanOrEqual(1.5);
      expect(stalled.body.writer.lag).toBeGreaterThanOrEqual(1);
      await blocker.query('ROLLBACK');
      await until(
        () => s.app.storage.getEvent('*', e.id),
        (x) => x !== null,
        10_000,
      );
      await until(
        () => fetch(`${s.url}/readyz`).then((r) => r.status),
        (st) => st === 200,
        5000,
      );
    } finally {
      await blocker.end().catch(() => {});
    }
  }, 60_000);
});

describe('bisection (PGlite, memory bus)', () => {
  it('one poison record in 2000 costs about 2·log2(2000) attempts, not 2000, and the other 1999 land', async () => {
    const { storage, db, cleanup } = await makeStorage('pglite');
    const bus = new MemoryBus(10_000);
    try {
      let attempts = 0;
      // The real storage, counted: every write attempt the writer makes.
      const counted = Object.assign(Object.create(storage), {
        insertRecords: (rs: Parameters<typeof storage.insertRecords>[0]) => {
          attempts++;
          return storage.insertRecords(rs);
        },
      }) as typeof storage;
      const tenant = uniq('bi');
      const records = Array.from({ length: 2000 }, () => record({ tenant_id: tenant }));
      const secretDoc = `${uniq('secret-doc-')}\u0000`;
      (records[1234] as EventRecord).event.document_id = secretDoc;
      (records[1234] as EventRecord).event.metadata = { customer_email: 'mary@example.com' };
      const seqs = await bus.append(records);
      const quarantine = new QuarantineRepository(db);
      const lines: [Record<string, unknown>, string][] = [];
      const log = { warn() {}, error: (o: Record<string, unknown>, m: string) => lines.push([o, m]), info() {} } as never;
      const w = new EventWriter(bus, counted, log, 'bisect', { quarantine });
      w.start();
      await w.waitCommitted(seqs[seqs.length - 1] as string);
      await w.stop();
      expect(w.stats).toMatchObject({ written: 1999, quarantined: 1, batches: 1 });
      expect(attempts).toBeLessThanOrEqual(2 * Math.ceil(Math.log2(2000)) + 1);
      console.log(`bisection: 1 poison in 2000 → ${attempts} write attempts`);
      expect((await quarantine.list([tenant], { limit: 10 })).records.map((r) => r.event_id)).toEqual([records[1234]?.event.id]);
      expect(await bus.backlog()).toBe(0);
      // The refused record's log line: position, event id, tenant, SQLSTATE, message; no
      // params, metadata or document id.
      expect(lines).toHaveLength(1);
      expect(Object.keys(lines[0]?.[0] ?? {}).sort()).toEqual(['event_id', 'message', 'seq', 'sqlstate', 'tenant']);
      expect(lines[0]?.[0]).toMatchObject({ event_id: records[1234]?.event.id, tenant, sqlstate: '22021' });
      const line = JSON.stringify(lines);
      for (const leak of [secretDoc.slice(0, -1), 'mary@example.com']) expect(line).not.toContain(leak);
    } finally {
      await bus.close();
      await cleanup();
    }
  }, 60_000);
});

describe('writer failure classification and stall (pure)', () => {
  it('retries the batch only when the database is away; splits for anything about the rows', () => {
    const pgErr = (code: string) => Object.assign(new Error('x'), { code });
    for (const code of ['08006', '08001', '57P01', '57014', '53300', '40001', '40P01', '55P03', '25006', '42P01', 'XX000'])
      expect(classifyWriteError(pgErr(code)), code).toBe('retry');
    for (const e of [
      Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' }),
      new Error('Connection terminated unexpectedly'),
      new Error('timeout exceeded when trying to connect'),
      new Error('Client was closed and is not queryable'),
    ])
      expect(classifyWriteError(e), e.message).toBe('retry');
    for (const code of ['22021', '22003', '22P05', '23505', '23514', '22P02']) expect(classifyWriteError(pgErr(code)), code).toBe('split');
    expect(classifyWriteError(new RangeError('Invalid array length'))).toBe('split');
    expect(classifyWriteError(new TypeError('Cannot read properties of undefined'))).toBe('split');
    expect(classifyWriteError(Object.assign(new Error('not JSON: Infinity'), { name: 'CanonicalJsonError' }))).toBe('split');
  });

  it('a loop is stalled once it has held one batch for the threshold', () => {
    const base: WriterStats = {
      batches: 1,
      written: 1,
      retries: 4,
      quarantined: 0,
      quarantineFailures: 0,
      lastBatchSize: 1,
      lastCommitAt: 0,
      busySince: null,
    };
    expect(writerStall(base, 100_000, 30_000)).toBeNull(); // idle: nothing waits on it
    expect(writerStall({ ...base, busySince: 80_000 }, 100_000, 30_000)).toBeNull();
    expect(writerStall({ ...base, busySince: 60_000 }, 100_000, 30_000)).toMatch(/held a batch for 40 s.*4 retries/);
  });

  it('quarantine text is always storable: NUL and lone surrogates escaped, non-finite numbers as strings', () => {
    expect(pgSafeText('a\u0000b\ud800c\udc00\ud83d\ude00')).toBe('a\\u0000b\\ud800c\\udc00\ud83d\ude00');
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    expect(JSON.parse(pgSafeJson({ a: Number.NaN, b: -Infinity, c: 10n, d: 'x\u0000' }))).toEqual({
      a: 'NaN',
      b: '-Infinity',
      c: '10',
      d: 'x\u0000',
    });
    expect(JSON.parse(pgSafeJson(cyclic))).toHaveProperty('unserialisable');
    // biome-ignore lint/suspicious/noControlCharactersInRegex: checking the absence of NUL
    expect(pgSafeJson({ s: '\u0000\ud800' })).not.toMatch(/\u0000|[\ud800-\udfff]/);
  });
});
