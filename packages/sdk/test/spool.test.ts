import { spawn } from 'node:child_process';
import { readdir, readFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ModelEventInput } from '@frostbyte/contracts';
import { afterEach, describe, expect, it } from 'vitest';
import { TelemetrySdk } from '../src/index.ts';
import { tempSpoolDir, uniqueMeta, waitFor } from './helpers.ts';
import { IngestServer } from './ingest-server.ts';

const cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const fn of cleanup.splice(0).reverse()) await fn();
});

const fast = {
  http: { maxAttempts: 2, backoffBaseMs: 5, backoffMaxMs: 10, timeoutMs: 2_000 },
  probeIntervalMs: 30,
  probeMaxIntervalMs: 100,
};

function telemetryFor(endpoint: string, spoolDir: string) {
  const t = new TelemetrySdk({ endpoint, spoolDir, flushOnExit: false, countTokens: false, ...fast });
  cleanup.push(() => t.shutdown());
  return t;
}

/** Every delivery counted by id: each exactly once, and in the order it was emitted. */
function expectExactlyOnceInOrder(deliveries: readonly ModelEventInput[], expected: number) {
  const counts = new Map<string, number>();
  for (const e of deliveries) counts.set(e.id as string, (counts.get(e.id as string) ?? 0) + 1);
  expect(counts.size).toBe(expected);
  expect([...counts.values()].every((n) => n === 1)).toBe(true);
  const ids = deliveries.map((e) => e.id as string);
  expect(ids).toEqual([...ids].sort()); // UUIDv7 ids are assigned in emission order
  const seen = new Set<string>();
  for (const e of deliveries) {
    if (e.status === 'started') seen.add(e.invocation_id);
    else expect(seen.has(e.invocation_id)).toBe(true);
  }
}

const spoolFiles = async (dir: string) => (await readdir(dir)).filter((f) => f.endsWith('.jsonl'));

async function freePort(): Promise<number> {
  const srv = createServer().listen(0, '127.0.0.1');
  await new Promise((r) => srv.once('listening', r));
  const port = (srv.address() as { port: number }).port;
  await new Promise((r) => srv.close(r));
  return port;
}

describe('spool', () => {
  it('server down → spool file → server back → every event delivered exactly once, in order', async () => {
    const server = await new IngestServer().start();
    cleanup.push(() => server.stop());
    const dir = await tempSpoolDir();
    const telemetry = telemetryFor(server.url, dir);
    const model = telemetry.wrapModel(async (x: number) => x, uniqueMeta());

    for (let i = 0; i < 20; i++) await model(i);
    await telemetry.flush();
    expect(server.events).toHaveLength(40);

    await server.stop();
    for (let i = 0; i < 60; i++) await model(i);
    await telemetry.flush();
    expect(telemetry.stats()).toMatchObject({ spooled: 120, mode: 'spool', dropped: 0 });
    const [file] = await spoolFiles(dir);
    const lines = (await readFile(join(dir, file as string), 'utf8')).trim().split('\n');
    expect(lines.map((l) => (JSON.parse(l) as { events: unknown[] }).events.length).reduce((a, b) => a + b)).toBe(120);

    await server.start(); // same port
    for (let i = 0; i < 15; i++) await model(i); // emitted while the backlog replays: must queue behind it
    await waitFor(() => server.events.length === 40 + 120 + 30, 5_000, 'replay');
    await telemetry.flush();
    expectExactlyOnceInOrder(server.deliveries, 190);
    expect(telemetry.stats()).toMatchObject({ emitted: 190, dropped: 0, mode: 'live', spool_bytes: 0 });
    expect(telemetry.stats().exported + telemetry.stats().replayed).toBe(190);
    expect(await spoolFiles(dir)).toEqual([]); // drained segments are deleted
  });

  it('batches still being built when the shutdown budget runs out are spooled, not dropped', async () => {
    const dir = await tempSpoolDir();
    const port = await freePort(); // nothing listens: every batch ends up on disk
    const t = new TelemetrySdk({
      endpoint: `http://127.0.0.1:${port}`,
      spoolDir: dir,
      flushOnExit: false,
      countTokens: false,
      ...fast,
      // A slow redactor (5 ms a value): building 1400 events takes ~7 s, past the 5 s
      // budget, yielding to the event loop as it goes — as a cold redactor and
      // tokenizer do on a busy machine.
      redactor: (value) => {
        const until = performance.now() + 5;
        while (performance.now() < until) {}
        return value;
      },
    });
    const m = t.wrapModel(async (x: number) => x, uniqueMeta());
    for (let i = 0; i < 700; i++) await m(i);
    await t.shutdown();
    expect(t.stats()).toMatchObject({ emitted: 1400, spooled: 1400, dropped: 0 });
  }, 60_000);

  it('a new instance (restart) replays what a previous one left in the spool, before its own events', async () => {
    const dir = await tempSpoolDir();
    const port = await freePort();
    const first = telemetryFor(`http://127.0.0.1:${port}`, dir);
    const meta = uniqueMeta();
    const m1 = first.wrapModel(async (x: number) => x, meta);
    for (let i = 0; i < 25; i++) await m1(i);
    await first.shutdown(); // server unreachable: everything ends up on disk
    expect(first.stats()).toMatchObject({ spooled: 50, dropped: 0 });
    expect(await spoolFiles(dir)).toHaveLength(1);

    const server = new IngestServer();
    server.port = port;
    await server.start();
    cleanup.push(() => server.stop());
    const second = telemetryFor(server.url, dir);
    const meta2 = uniqueMeta();
    const m2 = second.wrapModel(async (x: number) => x, meta2);
    for (let i = 0; i < 5; i++) await m2(i);
    await waitFor(() => server.events.length === 60, 5_000, 'leftover replay');
    await second.flush();
    expectExactlyOnceInOrder(server.deliveries, 60);
    const s = second.stats();
    expect(s.replayed).toBeGreaterThanOrEqual(50); // the leftovers (its own 10 may go live or via the spool)
    expect(s.replayed + s.exported).toBe(60);
    expect(s.dropped).toBe(0);
    expect(server.deliveries.slice(0, 50).every((e) => e.model_name === meta.model_name)).toBe(true);
    expect(server.deliveries.slice(50).every((e) => e.model_name === meta2.model_name)).toBe(true);
    expect(await spoolFiles(dir)).toEqual([]);
  });

  it('survives kill -9: a fresh instance replays what the killed process had spooled', async () => {
    const dir = await tempSpoolDir();
    const port = await freePort();
    const child = spawn(process.execPath, ['--import', 'tsx', fileURLToPath(new URL('./fixtures/spool-child.ts', import.meta.url))], {
      env: { ...process.env, FMO_ENDPOINT: `http://127.0.0.1:${port}`, FMO_SPOOL_DIR: dir, CHILD_CALLS: '40' },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
    });
    await waitFor(() => out.includes('spooled 80'), 20_000, 'child to spool');
    child.kill('SIGKILL');
    await new Promise((r) => child.once('exit', r));

    const server = new IngestServer();
    server.port = port;
    await server.start();
    cleanup.push(() => server.stop());
    const telemetry = telemetryFor(server.url, dir);
    await waitFor(() => server.events.length === 80, 5_000, 'replay after kill -9');
    await telemetry.flush();
    expectExactlyOnceInOrder(server.deliveries, 80);
    expect(server.events.every((e) => e.model_name === 'child-model')).toBe(true);
  }, 30_000);

  it('does not claim a spool another live instance owns', async () => {
    const dir = await tempSpoolDir();
    const port = await freePort();
    const owner = telemetryFor(`http://127.0.0.1:${port}`, dir);
    await owner.wrapModel(async () => 1, uniqueMeta())();
    await owner.flush();
    expect(owner.stats().spooled).toBe(2);
    const server = await new IngestServer().start();
    cleanup.push(() => server.stop());
    const other = telemetryFor(server.url, dir);
    await other.flush();
    await new Promise((r) => setTimeout(r, 100));
    expect(server.events).toHaveLength(0);
    expect(other.stats().mode).toBe('live');
  });
});
