import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { tempSpoolDir, waitFor } from './helpers.ts';
import { IngestServer } from './ingest-server.ts';

const cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const fn of cleanup.splice(0).reverse()) await fn();
});

async function runChild(mode: 'exit' | 'signal') {
  const server = await new IngestServer().start();
  cleanup.push(() => server.stop());
  const child = spawn(process.execPath, ['--import', 'tsx', fileURLToPath(new URL('./fixtures/exit-child.ts', import.meta.url))], {
    env: { ...process.env, FMO_ENDPOINT: server.url, FMO_SPOOL_DIR: await tempSpoolDir(), CHILD_MODE: mode, CHILD_CALLS: '20' },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let out = '';
  child.stdout.on('data', (d: Buffer) => {
    out += d.toString();
  });
  const exited = new Promise<{ code: number | null; signal: string | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  return { server, child, exited, ready: () => out.includes('ready') };
}

describe('process exit', () => {
  it('a normal exit flushes pending events (beforeExit)', async () => {
    const { server, exited } = await runChild('exit');
    expect(await exited).toEqual({ code: 0, signal: null });
    expect(server.events).toHaveLength(40);
  }, 30_000);

  it('SIGTERM with installShutdownHooks() flushes, then exits by the signal', async () => {
    const { server, child, exited, ready } = await runChild('signal');
    await waitFor(ready, 20_000, 'child ready');
    expect(server.events).toHaveLength(0);
    child.kill('SIGTERM');
    expect(await exited).toEqual({ code: null, signal: 'SIGTERM' });
    expect(server.events).toHaveLength(40);
  }, 30_000);
});
