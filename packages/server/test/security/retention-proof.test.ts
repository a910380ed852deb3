import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { run } from '../../src/cli/frostbyte.ts';
import { leafHash, verifyInclusion } from '../../src/audit/merkle.ts';
import { makeEvent, postEvents, startServer, TEST_ADMIN_TOKEN, uniq, until } from '../helper.ts';
import { call, ingestKey } from './support.ts';

const DAY = 86_400_000;

for (const mode of ['embedded', 'server'] as const) {
  describe(`audit batches, inclusion proofs and retention (${mode})`, () => {
    let s: Awaited<ReturnType<typeof startServer>>;
    const T = uniq('ret');
    let events: ReturnType<typeof makeEvent>[];

    beforeAll(async () => {
      s = await startServer(mode, { auditCheckpointMs: 0 });
      const { key } = await ingestKey(s.url, T);
      events = Array.from({ length: 7 }, (_, i) => makeEvent({ tenant_id: T, input_tokens: 10 * (i + 1) }));
      await postEvents(s.url, events, { authorization: `Bearer ${key}` });
      await until(
        () => call(`${s.url}/v1/events?tenant_id=${T}`, TEST_ADMIN_TOKEN),
        (r) => r.body.events?.length === 7,
      );
      await s.app.audit.checkpointAll();
    }, 60_000);
    afterAll(() => s?.close());

    it('each written batch has an audit entry whose Merkle root proves each of its events', async () => {
      const batches = await call(`${s.url}/v1/audit?tenant_id=${T}&action=events.batch`, TEST_ADMIN_TOKEN);
      const counted = batches.body.entries.reduce((n: number, e: { details: { count: number } }) => n + e.details.count, 0);
      expect(counted).toBe(7);
      for (const e of events) {
        const p = await call(`${s.url}/v1/audit/proof/${e.id}`, TEST_ADMIN_TOKEN);
        expect(p.status).toBe(200);
        expect(p.body.verified).toBe(true);
        // Independently checkable with nothing but the proof.
        expect(verifyInclusion(p.body.leaf_hash, p.body.leaf_index, p.body.tree_size, p.body.proof, p.body.entry.batch_root)).toBe(true);
      }
      // Change one stored event: its proof no longer verifies, and the answer says so.
      const victim = events[3] as ReturnType<typeof makeEvent>;
      await s.app.db.query('UPDATE model_events SET input_tokens = 999999 WHERE id = $1', [victim.id]);
      const bad = await call(`${s.url}/v1/audit/proof/${victim.id}`, TEST_ADMIN_TOKEN);
      expect(bad.body.verified).toBe(false);
      expect(leafHash(Buffer.alloc(32))).not.toBe(bad.body.leaf_hash);
      await s.app.db.query('UPDATE model_events SET input_tokens = $2 WHERE id = $1', [victim.id, 40]);
      expect((await call(`${s.url}/v1/audit/proof/${victim.id}`, TEST_ADMIN_TOKEN)).body.verified).toBe(true);
    });

    it('retention drops old trace partitions behind daily summaries, prunes the audit log behind a signed epoch, and verify still passes', async () => {
      const now = Date.now();
      // 31 days on: today's partitions are past the 30-day window.
      const first = await s.app.retention.run(new Date(now + 31 * DAY));
      const today = new Date(now).toISOString().slice(0, 10);
      expect(first.dropped_days).toContain(today);
      expect(first.audit_pruned).toEqual({});
      expect((await call(`${s.url}/v1/events?tenant_id=${T}`, TEST_ADMIN_TOKEN)).body.events).toEqual([]);
      const summaries = (
        await s.app.db.query<{ calls: string; input_tokens: string; batches: number; batches_root: string }>(
          'SELECT calls, input_tokens, batches, batches_root FROM audit_summaries WHERE tenant_id = $1 AND day = $2',
          [T, today],
        )
      ).rows;
      expect(summaries).toHaveLength(1);
      expect(summaries[0]).toMatchObject({ calls: expect.anything(), batches_root: expect.stringMatching(/^[0-9a-f]{64}$/) });
      expect(Number(summaries[0]?.calls)).toBe(7);
      expect(Number(summaries[0]?.input_tokens)).toBe(280);
      const v1 = await call(`${s.url}/v1/audit/verify?tenant_id=${T}`, TEST_ADMIN_TOKEN);
      expect(v1.body.ok).toBe(true);

      // 400 days on: the audit entries are past the 365-day window too.
      const before = (await call(`${s.url}/v1/audit?tenant_id=${T}&limit=1000`, TEST_ADMIN_TOKEN)).body.entries.length;
      const second = await s.app.retention.run(new Date(now + 400 * DAY));
      expect(second.audit_pruned[T]).toBeGreaterThan(0);
      const kept = (await call(`${s.url}/v1/audit?tenant_id=${T}&limit=1000`, TEST_ADMIN_TOKEN)).body.entries;
      expect(kept.length).toBeLessThan(before);
      expect(kept.map((e: { action: string }) => e.action)).toContain('retention.prune');
      await s.app.audit.checkpointAll();
      const v2 = await call(`${s.url}/v1/audit/verify?tenant_id=${T}`, TEST_ADMIN_TOKEN);
      expect(v2.body).toMatchObject({ ok: true, tenants: [{ tenant_id: T, ok: true, unattested: 0 }] });
      const system = await call(`${s.url}/v1/audit/verify`, TEST_ADMIN_TOKEN);
      expect(system.body.ok).toBe(true);
      // A proof for a pruned event is a plain 404.
      expect((await call(`${s.url}/v1/audit/proof/${events[0]?.id}`, TEST_ADMIN_TOKEN)).status).toBe(404);
    });

    it('`retention run`, `audit verify` and `audit export` from the CLI', async () => {
      const out: string[] = [];
      const flags = mode === 'server' ? ['--url', s.url, '--token', TEST_ADMIN_TOKEN] : [];
      const env = { FMO_DATA_DIR: s.config.dataDir };
      expect(
        await run(
          ['retention', 'run', ...flags],
          (l) => out.push(l),
          () => {},
          env,
        ),
      ).toBe(0);
      expect(JSON.parse(out.join('\n'))).toMatchObject({ dropped_days: expect.any(Array), audit_pruned: expect.any(Object) });
      const vout: string[] = [];
      expect(
        await run(
          ['audit', 'verify', ...flags],
          (l) => vout.push(l),
          () => {},
          env,
        ),
      ).toBe(0);
      expect(vout.join('\n')).toMatch(new RegExp(`ok\\s+${T}:`));
      const eout: string[] = [];
      expect(
        await run(
          ['audit', 'export', '--tenant', T, ...flags],
          (l) => eout.push(l),
          () => {},
          env,
        ),
      ).toBe(0);
      const exported = JSON.parse(eout.join('\n'));
      expect(exported).toMatchObject({ verifier_key: expect.stringMatching(/^frostbyte-audit\+/), chains: [{ tenant_id: T }] });
      expect(exported.chains[0].checkpoints.length).toBeGreaterThan(0);
    });
  });
}
