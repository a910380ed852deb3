import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, TEST_ADMIN_TOKEN, tempDir, uniq, until } from '../../packages/server/test/helper.ts';
// @ts-expect-error: a plain .mjs script without declarations
import { packPackages } from '../../scripts/pack-packages.mjs';

const run = promisify(execFile);

/**
 * Issue 16 item 2: `npm pack` of the SDK and what it depends on gives tarballs that
 * install into an empty project outside the workspace, where plain `node` (no tsx, no
 * workspace links) wraps a call and delivers its events to a running server.
 */
describe('the published packages, installed outside the workspace', () => {
  let server: Awaited<ReturnType<typeof startServer>>;
  const project = tempDir('fmo-outside-');
  let tarballs: string[] = [];

  beforeAll(async () => {
    [server, tarballs] = await Promise.all([
      startServer('embedded'),
      Promise.resolve(packPackages(path.join(project, 'tarballs')) as string[]),
    ]);
  }, 180_000);
  afterAll(async () => {
    await server?.close();
    fs.rmSync(project, { recursive: true, force: true });
  });

  it('packs contracts, redact and telemetry with JavaScript, declarations, README and licence only', async () => {
    expect(tarballs.map((t) => path.basename(t))).toEqual([
      'frostbyte-contracts-0.1.0.tgz',
      'frostbyte-redact-0.1.0.tgz',
      'frostbyte-telemetry-0.1.0.tgz',
    ]);
    const { stdout } = await run('tar', ['tzf', tarballs[2] as string]);
    const files = stdout.trim().split('\n');
    expect(files).toEqual(
      expect.arrayContaining(['package/dist/index.js', 'package/dist/index.d.ts', 'package/README.md', 'package/LICENSE']),
    );
    expect(files.filter((f) => f.endsWith('.test.ts') || f.includes('tsbuildinfo'))).toEqual([]);
    const { stdout: manifest } = await run('tar', ['xzOf', tarballs[2] as string, 'package/package.json']);
    const pkg = JSON.parse(manifest);
    expect(pkg.private).toBeUndefined();
    expect(pkg.exports['.']).toEqual({ types: './dist/index.d.ts', default: './dist/index.js' });
    expect(pkg.license).toBe('Apache-2.0');
  });

  it('installs into an empty project, and plain node wraps a call and delivers its events', async () => {
    const app = path.join(project, 'app');
    fs.mkdirSync(app);
    fs.writeFileSync(path.join(app, 'package.json'), JSON.stringify({ name: 'outside', version: '1.0.0', private: true, type: 'module' }));
    // The three tarballs; their registry dependencies come from npm's cache or registry.
    await run('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', ...tarballs], { cwd: app, timeout: 120_000 });
    expect(fs.lstatSync(path.join(app, 'node_modules/@frostbyte/telemetry')).isSymbolicLink()).toBe(false);

    const document = uniq('doc-outside-');
    fs.writeFileSync(
      path.join(app, 'app.mjs'),
      `import { initTelemetry, shutdownTelemetry, withContext, wrapModel } from '@frostbyte/telemetry';
const count = wrapModel(async (text) => ({ output: text.split(/\\s+/).length, usage: { input_tokens: 4, output_tokens: 1 } }),
  { model_name: 'outside-parser', model_version: '1.0.0', stage: 'parse', operation: 'parse' });
initTelemetry({ spoolDir: false });
const words = await withContext({ tenant_id: 'outside', document_id: process.env.DOC }, () => count('mail jane.doe@example.com today'));
await shutdownTelemetry();
console.log(JSON.stringify(words));
`,
    );
    const { stdout } = await run(process.execPath, ['app.mjs'], {
      cwd: app,
      timeout: 60_000,
      env: { PATH: process.env.PATH ?? '', FMO_ENDPOINT: server.url, FMO_API_KEY: TEST_ADMIN_TOKEN, DOC: document },
    });
    expect(JSON.parse(stdout.trim())).toEqual({ output: 3, usage: { input_tokens: 4, output_tokens: 1 } });

    const stored = await until(
      async () =>
        (await (
          await fetch(`${server.url}/v1/events?tenant_id=outside&document_id=${document}`, {
            headers: { authorization: `Bearer ${TEST_ADMIN_TOKEN}` },
          })
        ).json()) as { events: { status: string; model_name: string; input_tokens: number | null }[] },
      (b) => b.events?.length === 2,
    );
    expect(stored.events.map((e) => e.status).sort()).toEqual(['completed', 'started']);
    expect(stored.events.every((e) => e.model_name === 'outside-parser')).toBe(true);
  }, 180_000); // npm install into a fresh project: over 30 s on a busy machine
});
