/// <reference types="node" />
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { getPurpose, purposeProblem, setPurpose, subscribePurpose } from './access-purpose.ts';
import { apiDownload, apiGet, apiPost } from './api-client.ts';

// A real HTTP server records what the client sends (no fetch stub).
let server: Server;
let base = '';
const seen: IncomingHttpHeaders[] = [];
beforeAll(async () => {
  server = createServer((req, res) => {
    seen.push(req.headers);
    if (req.url?.startsWith('/file')) {
      res.writeHead(200, {
        'content-type': 'application/json',
        'content-disposition': 'attachment; filename="audit-bundle-acme-2026-12-07.json"',
      });
      return res.end('{"format":"fmo-audit-bundle/v1"}');
    }
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end('{"ok":true}');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));
beforeEach(() => {
  sessionStorage.clear();
  seen.length = 0;
});

describe('purpose of access', () => {
  it('is kept for the session, trimmed, and announced to subscribers', () => {
    let calls = 0;
    const off = subscribePurpose(() => calls++);
    expect(setPurpose('  DSAR 2026-114 ')).toBeNull();
    expect(getPurpose()).toBe('DSAR 2026-114');
    expect(sessionStorage.getItem('fmo.purpose')).toBe('DSAR 2026-114');
    expect(setPurpose('')).toBeNull();
    expect(getPurpose()).toBe('');
    off();
    expect(calls).toBe(2);
  });

  it('refuses what the server or a header cannot carry, and keeps the previous one', () => {
    setPurpose('incident 88');
    expect(setPurpose('x'.repeat(201))).toMatch(/At most 200 characters/);
    expect(setPurpose('line\nbreak')).toMatch(/no line breaks/);
    expect(setPurpose('合同审查')).toMatch(/non-Latin/);
    expect(getPurpose()).toBe('incident 88');
    expect(purposeProblem('Prüfung für Frau Müller')).toBeNull();
  });

  it('goes with every API request as X-Access-Purpose, and not at all when empty', async () => {
    setPurpose('DSAR 2026-114');
    await apiGet(`${base}/v1/events/x`);
    await apiPost(`${base}/v1/documents/d/hold`, { reason: 'r' });
    await apiDownload(`${base}/file`);
    expect(seen.map((h) => h['x-access-purpose'])).toEqual(['DSAR 2026-114', 'DSAR 2026-114', 'DSAR 2026-114']);
    setPurpose('');
    await apiGet(`${base}/v1/events/x`);
    expect(seen[3]?.['x-access-purpose']).toBeUndefined();
  });

  it('downloads name the file as the server does', async () => {
    const { blob, filename } = await apiDownload(`${base}/file`, { tenant_id: 'acme' });
    expect(filename).toBe('audit-bundle-acme-2026-12-07.json');
    expect(await blob.text()).toBe('{"format":"fmo-audit-bundle/v1"}');
  });
});
