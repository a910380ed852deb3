import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, tempDir, until } from '../../server/test/helper.ts';
import { startDemo } from '../src/demo.ts';
import { closeServer, eventsOf, SERVER_START_TIMEOUT_MS, tokenOf, withAdminToken } from './support.ts';

describe('the demo feeder (npm start)', { timeout: 120_000 }, () => {
  let server: Awaited<ReturnType<typeof startServer>>;
  beforeAll(async () => {
    server = await startServer('embedded', withAdminToken());
  }, SERVER_START_TIMEOUT_MS);
  afterAll(async () => {
    if (server) await closeServer(server);
  });

  it('keeps both tenants busy through every stage, the corrupt sample included, and stops cleanly', async () => {
    const token = tokenOf(server);
    const logs: string[] = [];
    const stop = await startDemo({
      endpoint: server.url,
      apiKey: token,
      tenants: ['acme', 'globex'],
      log: { info: (m) => logs.push(m), warn: (m) => logs.push(m) },
      intervalMs: [20, 40],
      spoolDir: tempDir('fmo-demo-spool-'),
      outputDir: tempDir('fmo-demo-out-'),
      // The story has its own test (story.test.ts); here only the feeding is judged.
      story: false,
    });
    try {
      const seen = (events: Awaited<ReturnType<typeof eventsOf>>, tenant: string) =>
        new Set(events.filter((e) => e.tenant_id === tenant).map((e) => `${e.stage}:${e.status}`));
      const events = await until(
        () => eventsOf(server.url, token, {}),
        (all) =>
          ['acme', 'globex'].every((t) =>
            ['parse:completed', 'embed:completed', 'policy:completed', 'output:completed', 'parse:failed'].every((k) =>
              seen(all, t).has(k),
            ),
          ),
        30_000,
        250,
      );
      const failed = events.filter((e) => e.status === 'failed');
      expect(failed.every((e) => e.stage === 'parse' && e.error?.type === 'CorruptDocumentError')).toBe(true);
    } finally {
      await stop();
    }
    // Stopped means stopped: nothing new arrives afterwards.
    const count = (await eventsOf(server.url, token, {})).length;
    await new Promise((r) => setTimeout(r, 300));
    expect((await eventsOf(server.url, token, {})).length).toBe(count);
    expect(logs.some((m) => m.startsWith('demo: feeding'))).toBe(true);
  });
});
