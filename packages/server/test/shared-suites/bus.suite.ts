import { afterEach, describe, expect, it } from 'vitest';
import { BusFullError, type Bus } from '../../src/bus/bus.ts';
import type { ModelEvent } from '@frostbyte/contracts';
import { compareSeq } from '../../src/kernel/seq.ts';
import { sleep, until } from '../helper.ts';
import { record } from './records.ts';

type MakeBus = (opts?: { maxLen?: number; prefix?: string }) => Promise<{ bus: Bus; prefix: string; cleanup: () => Promise<void> }>;

/**
 * The bus contract, run against every implementation (memory ring, Redis Streams).
 * Each test gets its own bus (its own stream key on Redis).
 */
export function busSuite(name: string, make: MakeBus, caps: { sharedAcrossProcesses: boolean }) {
  describe(`bus contract: ${name}`, () => {
    const cleanups: (() => Promise<void>)[] = [];
    const fresh = async (opts?: { maxLen?: number; prefix?: string }) => {
      const b = await make(opts);
      cleanups.push(b.cleanup);
      return b;
    };
    afterEach(async () => {
      for (const c of cleanups.splice(0)) await c();
    });

    it('appends in order and returns increasing positions; range reads exactly after a position', async () => {
      const { bus } = await fresh();
      expect(await bus.newestSeq()).toBeNull();
      const seqs = [...(await bus.append([record(), record()])), ...(await bus.append([record()]))];
      for (let i = 1; i < seqs.length; i++) expect(compareSeq(seqs[i - 1] as string, seqs[i] as string)).toBe(-1);
      expect((await bus.range(seqs[0] as string, 10)).map((r) => r.seq)).toEqual(seqs.slice(1));
      expect(await bus.oldestSeq()).toBe(seqs[0]);
      expect(await bus.newestSeq()).toBe(seqs[2]);
      expect((await bus.range(seqs[2] as string, 10)).length).toBe(0);
    });

    it('tails live records from now, and from a position including what was missed', async () => {
      const { bus } = await fresh();
      const [early] = await bus.append([record()]);
      const live: ModelEvent[] = [];
      const stop = bus.tail(null, (events) => live.push(...events));
      await sleep(100); // let a remote tail position itself at the end
      const sent = [record({ metadata: { pages: 3 } }, { input: 'AAEC', output: null, decision_rationale: null, confidence_score: 0.5, redactions: {}, key_version: 1 }), record()];
      const later = await bus.append(sent);
      await until(() => live.length, (n) => n >= 2, 5000);
      expect(live.map((e) => e.seq)).toEqual(later);
      // The live side gets the events with their positions, and never the sealed trace.
      expect(live).toEqual(sent.map((r, i) => ({ ...r.event, seq: later[i] })));
      stop();

      const fromEarly: ModelEvent[] = [];
      const stop2 = bus.tail(early as string, (events) => fromEarly.push(...events));
      await until(() => fromEarly.length, (n) => n >= 2, 5000);
      expect(fromEarly.map((r) => r.seq)).toEqual(later);
      stop2();
    });

    it('delivers each record to the writer group once; acked records leave the backlog', async () => {
      const { bus } = await fresh();
      const seqs = await bus.append([record(), record(), record()]);
      const got = await bus.readGroup('c1', 2, 100);
      const rest = await bus.readGroup('c1', 10, 100);
      expect([...got, ...rest].map((r) => r.seq)).toEqual(seqs);
      expect(await bus.readGroup('c1', 10, 50)).toEqual([]);
      expect(await bus.backlog()).toBe(3);
      await bus.ack(seqs);
      expect(await bus.backlog()).toBe(0);
    });

    it('keeps the full record (event and sealed trace) through the round trip', async () => {
      const { bus } = await fresh();
      const r = record({ metadata: { pages: 3 } }, { input: 'AAEC', output: null, decision_rationale: null, confidence_score: 0.5, redactions: { EMAIL: 1 }, key_version: 2 });
      await bus.append([r]);
      const [got] = await bus.readGroup('c1', 1, 100);
      expect(got?.record).toEqual(r);
    });

    it('wakes a blocked group reader as soon as a record arrives', async () => {
      const { bus } = await fresh();
      const pending = bus.readGroup('c1', 10, 5000);
      await sleep(50);
      const t0 = Date.now();
      await bus.append([record()]);
      expect((await pending).length).toBe(1);
      expect(Date.now() - t0).toBeLessThan(4000); // woke up, did not wait out the block
    });

    it('refuses appends rather than dropping records the writer has not acked', async () => {
      const { bus } = await fresh({ maxLen: 20 });
      await bus.append(Array.from({ length: 15 }, () => record()));
      await expect(bus.append(Array.from({ length: 10 }, () => record()))).rejects.toBeInstanceOf(BusFullError);
      const got = await bus.readGroup('c1', 100, 100);
      await bus.ack(got.map((r) => r.seq));
      await sleep(600); // the Redis bus caches its backlog figure for 500 ms
      await expect(bus.append(Array.from({ length: 10 }, () => record()))).resolves.toHaveLength(10);
    });

    it('delivers an announced notice to every listener of the process, including the announcing one; an unsubscribed listener hears no more', async () => {
      const { bus } = await fresh();
      const got: string[] = [];
      const stop1 = bus.onNotice((n) => got.push(`1:${n.kind}`));
      const stop2 = bus.onNotice((n) => got.push(`2:${n.kind}`));
      // A subscription may take a moment to register (Redis SUBSCRIBE): announce until heard.
      await until(
        async () => {
          if (!got.length) await bus.announce({ kind: 'credentials-changed' });
          return got;
        },
        (g) => g.includes('1:credentials-changed') && g.includes('2:credentials-changed'),
        5000,
        100,
      );
      stop2();
      got.length = 0;
      await bus.announce({ kind: 'credentials-changed' });
      await until(() => got, (g) => g.length > 0, 5000);
      await sleep(100);
      expect(got).toEqual(['1:credentials-changed']);
      stop1();
    });

    it.skipIf(!caps.sharedAcrossProcesses)(
      'delivers a notice announced by another process on the same prefix (shared buses only)',
      async () => {
        const { bus, prefix } = await fresh();
        const { bus: other } = await make({ prefix });
        cleanups.unshift(() => other.close());
        const got: string[] = [];
        bus.onNotice((n) => got.push(n.kind));
        await until(
          async () => {
            await other.announce({ kind: 'credentials-changed' });
            return got;
          },
          (g) => g.length > 0,
          5000,
          100,
        );
        expect(got[0]).toBe('credentials-changed');
      },
    );

    it.skipIf(!caps.sharedAcrossProcesses)(
      'lets another consumer take over what a dead consumer left unacked (shared buses only; the memory ring lives and dies with its one process)',
      async () => {
        const { bus, prefix } = await fresh();
        const seqs = await bus.append([record(), record()]);
        expect((await bus.readGroup('dead', 10, 100)).length).toBe(2); // read, never acked
        const { bus: other } = await make({ prefix }); // a second process on the same stream
        cleanups.unshift(() => other.close());
        // The dead consumer's entries are claimed once idle long enough.
        const taken = await until(() => other.readGroup('alive', 10, 100), (r) => r.length === 2, 25_000, 500);
        expect(taken.map((r) => r.seq)).toEqual(seqs);
      },
      40_000,
    );
  });
}
