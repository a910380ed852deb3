import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fetch, getJson, json, startServer, TEST_ADMIN_TOKEN, tempDir, uniq } from '../helper.ts';

const PYTHON_DIR = path.resolve(import.meta.dirname, '../../../../python');

/**
 * Issue 16, item 1: the Python middleware (`python/`) against a real server (PostgreSQL + Redis mode).
 * Runs its stdlib unittest suite with an ingest key of a fresh tenant, then checks here,
 * through the API, that every document the Python tests reported holds exactly the
 * events they sent (none lost, none twice).
 */
describe('Python middleware (frostbyte_telemetry) against a real server', () => {
  let s: Awaited<ReturnType<typeof startServer>>;
  beforeAll(async () => {
    // Server mode (PostgreSQL + Redis): PGlite's start-up under a loaded 2-core box can
    // exceed the plugin timeout.
    s = await startServer('server');
  }, 60_000);
  afterAll(() => s?.close());

  it('passes its unittest suite, and the events it reported are stored exactly once', async () => {
    const tenant = uniq('py');
    const created = await fetch(`${s.url}/v1/admin/keys`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ tenant }),
    });
    expect(created.status).toBe(201);
    const { key } = await json(created);
    const manifest = path.join(tempDir('fmo-py-manifest-'), 'documents.jsonl');
    const run = await new Promise<{ code: number | null; out: string }>((resolve) => {
      const child = spawn('python3', ['-m', 'unittest', 'discover', '-s', 'tests', '-t', '.'], {
        cwd: PYTHON_DIR,
        env: {
          ...process.env,
          FMO_ENDPOINT: s.url,
          FMO_API_KEY: key,
          FMO_TEST_ADMIN_TOKEN: TEST_ADMIN_TOKEN,
          FMO_TEST_TENANT: tenant,
          FMO_TEST_MANIFEST: manifest,
          FMO_TELEMETRY: '',
          PYTHONDONTWRITEBYTECODE: '1',
        },
      });
      let out = '';
      child.stdout.on('data', (b: Buffer) => {
        out += b.toString();
      });
      child.stderr.on('data', (b: Buffer) => {
        out += b.toString();
      });
      child.on('exit', (code) => resolve({ code, out }));
    });
    expect(run.out).not.toMatch(/skipped/);
    expect(run.code, run.out.slice(-4000)).toBe(0);

    const documents = fs
      .readFileSync(manifest, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { document_id: string; events: number });
    expect(documents.length).toBeGreaterThanOrEqual(5);
    for (const d of documents) {
      const page = await getJson(`${s.url}/v1/events?tenant_id=${tenant}&document_id=${encodeURIComponent(d.document_id)}&limit=1000`);
      const ids = new Set(page.events.map((e: { id: string }) => e.id));
      expect([d.document_id, page.events.length, ids.size]).toEqual([d.document_id, d.events, d.events]);
      expect(page.events.every((e: { tenant_id: string }) => e.tenant_id === tenant)).toBe(true);
    }
  }, 90_000);
});
