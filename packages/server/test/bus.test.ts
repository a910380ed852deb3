import { Redis } from 'ioredis';
import { describe, expect, it } from 'vitest';
import { makeBus, REDIS_URL } from './helper.ts';
import { busSuite } from './shared-suites/bus.suite.ts';
import { record } from './shared-suites/records.ts';

busSuite('memory ring', (o) => makeBus('memory', o), { sharedAcrossProcesses: false });
busSuite('Redis Streams', (o) => makeBus('redis', o), { sharedAcrossProcesses: true });

describe('Redis Streams entry format', () => {
  it('still reads entries an earlier version wrote as one `r` field (an upgrade writes what it left behind)', async () => {
    const { bus, prefix, cleanup } = await makeBus('redis');
    const r = new Redis(REDIS_URL);
    try {
      const old = record({ metadata: { v: 'old' } }, { input: 'AAEC', output: null, decision_rationale: null, confidence_score: 0.5, redactions: {}, key_version: 1 });
      const id = (await r.xadd(`${prefix}:events`, '*', 'r', JSON.stringify(old))) as string;
      const [got] = await bus.readGroup('c1', 10, 100);
      expect(got).toEqual({ seq: id, record: old });
      expect(await bus.range('0-0', 10)).toEqual([{ ...old.event, seq: id }]);
    } finally {
      r.disconnect();
      await cleanup();
    }
  });
});
