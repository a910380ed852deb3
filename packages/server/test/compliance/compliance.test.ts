import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { AccessReport, AuditVerifyReport, DocumentStatus } from '@frostbyte/contracts';
import { Value } from '@sinclair/typebox/value';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readAuditOf } from '../../src/audit/read-audit.ts';
import { run } from '../../src/cli/frostbyte.ts';
import { freshPgDatabase, type Json, makeEvent, postEvents, startServer, TEST_ADMIN_TOKEN, tempDir, uniq, until } from '../helper.ts';
import { call, ingestKey, userToken } from '../security/support.ts';

/**
 * Issue 15, against a real server (PostgreSQL + Redis): the read audit, per-document
 * erasure, legal hold through a retention run, and the offline audit bundle with the
 * CLI's exit codes. One server; the retention test runs last (it drops today's
 * partitions for every tenant).
 */

const DAY = 86_400_000;
const trace = (tag: string) => ({
  input: { text: `input ${tag}` },
  output: { label: `output ${tag}` },
  decision_rationale: `because ${tag}`,
  confidence_score: 0.9,
});

for (const mode of ['server', 'embedded'] as const)
  describe(`compliance workbench (${mode} mode: ${mode === 'server' ? 'PostgreSQL + Redis' : 'PGlite'})`, () => {
    let s: Awaited<ReturnType<typeof startServer>>;
    const A = uniq('ca');
    const B = uniq('cb');
    const H = uniq('ch');
    let officerA: { token: string; name: string };
    let officerB: { token: string; name: string };
    let viewerA: { token: string; name: string };
    const D1 = uniq('contract-');
    const D2 = uniq('hrfile-');
    const HD = uniq('held-');
    const HF = uniq('free-');
    const ev: Record<string, ReturnType<typeof makeEvent>[]> = {};
    const dir = tempDir('fmo-bundle-');

    const get = (p: string, token = TEST_ADMIN_TOKEN, headers: Record<string, string> = {}) => call(`${s.url}${p}`, token, { headers });
    const post = (p: string, body: unknown, token = TEST_ADMIN_TOKEN) =>
      call(`${s.url}${p}`, token, { method: 'POST', body: JSON.stringify(body) });
    const cli = async (argv: string[], env: NodeJS.ProcessEnv = {}) => {
      const out: string[] = [];
      const err: string[] = [];
      const code = await run(
        argv,
        (l) => out.push(l),
        (l) => err.push(l),
        env,
      );
      return { code, out: out.join('\n'), err: err.join('\n') };
    };
    const http = () => ['--url', s.url, '--token', TEST_ADMIN_TOKEN];

    beforeAll(async () => {
      s = await startServer(mode, { auditCheckpointMs: 0 });
      officerA = await userToken(s.url, 'compliance_officer', [A]);
      officerB = await userToken(s.url, 'compliance_officer', [B]);
      viewerA = await userToken(s.url, 'viewer', [A]);
      ev.d1 = [
        makeEvent({ tenant_id: A, document_id: D1, trace: trace('d1a') }),
        makeEvent({ tenant_id: A, document_id: D1, trace: trace('d1b') }),
      ];
      ev.d2 = [
        makeEvent({ tenant_id: A, document_id: D2, trace: trace('d2') }),
        makeEvent({ tenant_id: A, document_id: D2, trace: trace('d2b') }),
      ];
      ev.b = [makeEvent({ tenant_id: B, trace: trace('b') })];
      ev.hd = [
        makeEvent({ tenant_id: H, document_id: HD, trace: trace('held') }),
        makeEvent({ tenant_id: H, document_id: HD, trace: trace('held2') }),
      ];
      ev.hf = [makeEvent({ tenant_id: H, document_id: HF, trace: trace('free') })];
      for (const [t, list] of [
        [A, [...ev.d1, ...ev.d2]],
        [B, ev.b],
        [H, [...ev.hd, ...ev.hf]],
      ] as const) {
        const { key } = await ingestKey(s.url, t);
        expect((await postEvents(s.url, [...list], { authorization: `Bearer ${key}` })).status).toBe(202);
      }
      const all = Object.values(ev).flat();
      for (const e of all)
        await until(
          () => get(`/v1/events/${e.id}`),
          (r) => r.status === 200,
          20_000,
        );
    }, 120_000);
    afterAll(async () => {
      await s?.close();
      fs.rmSync(dir, { recursive: true, force: true });
    });

    it('read audit: a purposeful read of a trace is a chained trace.read entry, in /v1/audit and the access report; another tenant sees none of it', async () => {
      const e = ev.d1?.[0] as ReturnType<typeof makeEvent>;
      for (let i = 0; i < 3; i++) {
        const r = await get(`/v1/events/${e.id}`, officerA.token, { 'x-access-purpose': 'DSAR #42' });
        expect(r.status).toBe(200);
        expect(r.body.trace).toMatchObject({ readable: true, input: { text: 'input d1a' } });
      }
      // A viewer sees no payload: nothing was decrypted, nothing to audit.
      const v = await get(`/v1/events/${e.id}`, viewerA.token, { 'x-access-purpose': 'curious' });
      expect(v.body.trace.readable).toBe(false);
      // A purpose that cannot be stored is a 400, not a silent truncation.
      const long = await get(`/v1/events/${e.id}`, officerA.token, { 'x-access-purpose': 'x'.repeat(201) });
      expect(long.status).toBe(400);
      expect(long.body.message).toMatch(/X-Access-Purpose/);

      // The set-up's own reads (the admin token waiting for the events) are audited too: filter by actor.
      const mine = (r: { body: Json }) => (r.body.entries ?? []).filter((x: Json) => x.actor === `user:${officerA.name}`) as Json[];
      const entries = mine(
        await until(
          () => get(`/v1/audit?action=trace.read&tenant_id=${A}`, officerA.token),
          (r) => mine(r).length > 0,
          10_000,
          100,
        ),
      );
      // Batched: three reads within a flush window are one entry with reads: 3 (two, if the
      // set-up's reads had started the one-second timer just before; the access report flushes).
      await get(`/v1/audit/access?tenant_id=${A}`, officerA.token);
      const all = mine(await get(`/v1/audit?action=trace.read&tenant_id=${A}`, officerA.token));
      expect(all.length).toBeGreaterThanOrEqual(entries.length);
      expect(all.length).toBeLessThanOrEqual(2);
      expect(all.reduce((n, x) => n + x.details.reads, 0)).toBe(3);
      expect(all[0]).toMatchObject({
        tenant_id: A,
        actor: `user:${officerA.name}`,
        action: 'trace.read',
        target: `event:${e.id}`,
        details: { event_id: e.id, document_id: D1, purpose: 'DSAR #42', reads: expect.any(Number), client: expect.any(String) },
        checkpointed: expect.any(Boolean),
      });
      expect(entries.some((x) => x.details.purpose === 'curious')).toBe(false);
      await s.app.audit.checkpointAll();
      const again = mine(await get(`/v1/audit?action=trace.read&tenant_id=${A}`, officerA.token));
      expect(again.every((x) => x.checkpointed === true)).toBe(true);

      const report = await get(`/v1/audit/access?tenant_id=${A}`, officerA.token);
      expect(report.status).toBe(200);
      // The answer is what @frostbyte/contracts says, which the dashboard and CLI read.
      expect([...Value.Errors(AccessReport, report.body)]).toEqual([]);
      expect(report.body.rows.filter((r: Json) => r.actor === `user:${officerA.name}`)).toEqual([
        {
          actor: `user:${officerA.name}`,
          tenant_id: A,
          event_id: e.id,
          document_id: D1,
          purpose: 'DSAR #42',
          reads: 3,
          first_at: expect.any(String),
          last_at: expect.any(String),
        },
      ]);
      expect(report.body.by_day.filter((r: Json) => r.actor === `user:${officerA.name}`)).toEqual([
        { day: new Date().toISOString().slice(0, 10), actor: `user:${officerA.name}`, reads: 3 },
      ]);
      // The admin token's reads of the set-up are in it too, under their own actor.
      expect(report.body.rows.some((r: Json) => r.actor !== `user:${officerA.name}` && r.reads >= 1)).toBe(true);

      // The other tenant's officer: nothing of A in the log or the report, and naming A is a 403.
      const bLog = await get('/v1/audit?action=trace.read', officerB.token);
      expect(bLog.status).toBe(200);
      expect(bLog.body.entries.filter((x: Json) => x.tenant_id === A)).toEqual([]);
      const bReport = (await get('/v1/audit/access', officerB.token)).body;
      expect(bReport.rows.length).toBeGreaterThan(0); // B's own event, read by the set-up
      expect(bReport.rows.every((r: Json) => r.tenant_id === B)).toBe(true);
      expect(JSON.stringify(bReport)).not.toContain(officerA.name);
      expect(JSON.stringify(bReport)).not.toContain(D1);
      expect((await get(`/v1/audit/access?tenant_id=${A}`, officerB.token)).status).toBe(403);
      expect((await get(`/v1/events/${e.id}`, officerB.token)).status).toBe(404);
      // The chain with the read entries still verifies.
      const verified = (await get(`/v1/audit/verify?tenant_id=${A}`)).body;
      expect(verified).toMatchObject({ ok: true });
      expect([...Value.Errors(AuditVerifyReport, verified)]).toEqual([]);

      // Batching under load: N reads of one trace cost about one entry per second, not N.
      const N = mode === 'server' ? 300 : 100;
      const d2 = ev.d2?.[1] as ReturnType<typeof makeEvent>;
      const t0 = performance.now();
      for (let i = 0; i < N; i++)
        expect((await get(`/v1/events/${d2.id}`, officerA.token, { 'x-access-purpose': 'load' })).status).toBe(200);
      const seconds = (performance.now() - t0) / 1000;
      await get(`/v1/audit/access?tenant_id=${A}`, officerA.token); // flushes
      const load = mine(await get(`/v1/audit?action=trace.read&tenant_id=${A}&limit=1000`, officerA.token)).filter(
        (x) => x.details.purpose === 'load',
      );
      expect(load.reduce((n, x) => n + x.details.reads, 0)).toBe(N);
      expect(load.length).toBeLessThanOrEqual(Math.ceil(seconds) + 1);
      // For comparison: the same N reads by a viewer (nothing decrypted, nothing audited).
      const v0 = performance.now();
      for (let i = 0; i < N; i++) await get(`/v1/events/${d2.id}`, viewerA.token);
      const viewerSeconds = (performance.now() - v0) / 1000;
      console.info(
        `read audit (${mode}): ${N} reads in ${seconds.toFixed(2)} s (${((seconds * 1000) / N).toFixed(2)} ms/read incl. HTTP), ${load.length} trace.read entries; viewer (no decrypt, no audit) ${((viewerSeconds * 1000) / N).toFixed(2)} ms/read`,
      );
    }, 120_000);

    it("per-document erasure: the document's traces are unreadable for good, another document stays readable, audit verify passes", async () => {
      const [d1a, d1b] = ev.d1 as ReturnType<typeof makeEvent>[];
      const d2 = ev.d2?.[0] as ReturnType<typeof makeEvent>;
      // Refusals first: no confirm, a viewer, another tenant's officer, a missing document.
      expect((await post(`/v1/documents/${D1}/erase`, { tenant_id: A }, officerA.token)).status).toBe(400);
      expect((await post(`/v1/documents/${D1}/erase`, { tenant_id: A, confirm: true }, viewerA.token)).status).toBe(403);
      const cross = await post(`/v1/documents/${D1}/erase`, { tenant_id: A, confirm: true }, officerB.token);
      expect(cross.status).toBe(403);
      expect((await post(`/v1/documents/${uniq('nodoc-')}/erase`, { tenant_id: A, confirm: true }, officerA.token)).status).toBe(404);
      expect((await get(`/v1/events/${d1a?.id}`, officerA.token)).body.trace.readable).toBe(true);

      const r = await post(`/v1/documents/${D1}/erase`, { tenant_id: A, confirm: true }, officerA.token);
      expect(r.status).toBe(200);
      expect(r.body).toMatchObject({ tenant_id: A, document_id: D1, erased_events: 2, erased_traces: 2 });

      for (const e of [d1a, d1b]) {
        const g = await get(`/v1/events/${e?.id}`, officerA.token);
        expect(g.status).toBe(200);
        // The event keeps its metadata; the trace says it cannot be read.
        expect(g.body.event).toMatchObject({ id: e?.id, document_id: D1, has_trace: true });
        expect(g.body.trace).toMatchObject({ readable: false, input: null, output: null, decision_rationale: null });
      }
      // The sealed bytes are gone from the database, not just hidden.
      const rows = (
        await s.app.db.query<{ payload: unknown }>('SELECT payload FROM decision_traces WHERE event_id = ANY($1::uuid[])', [
          [d1a?.id, d1b?.id],
        ])
      ).rows;
      expect(rows).toHaveLength(2);
      expect(rows.every((x) => x.payload === null)).toBe(true);
      const other = await get(`/v1/events/${d2.id}`, officerA.token);
      expect(other.body.trace).toMatchObject({ readable: true, input: { text: 'input d2' } });

      const status = (await get(`/v1/documents/${D1}?tenant_id=${A}`, officerA.token)).body;
      expect([...Value.Errors(DocumentStatus, status)]).toEqual([]);
      expect(status).toMatchObject({
        tenant_id: A,
        document_id: D1,
        events: 2,
        held: false,
        erased: true,
        erased_at: expect.any(String),
      });
      expect((await get(`/v1/documents/${D1}?tenant_id=${A}`, officerB.token)).status).toBe(403);
      const log = (await get(`/v1/audit?action=document.erase&tenant_id=${A}`, officerA.token)).body.entries;
      expect(log[0]).toMatchObject({ actor: `user:${officerA.name}`, target: `document:${D1}`, details: { events: 2, traces: 2 } });
      // The reads above are chained within a second; written now, so the checkpoint covers them.
      await readAuditOf(s.app.audit).flush();
      await s.app.audit.checkpointAll();
      expect((await get(`/v1/audit/verify?tenant_id=${A}`)).body).toMatchObject({ ok: true, tenants: [{ ok: true, unattested: 0 }] });
      // The erased events' inclusion proofs still verify: the leaves never held the payload.
      expect((await get(`/v1/audit/proof/${d1a?.id}`)).body.verified).toBe(true);
    });

    it('offline bundle: intact passes with and without --key; tampering an entry, a proof, a checkpoint or the key fails naming it', async () => {
      const dl = await globalThis.fetch(`${s.url}/v1/audit/bundle?tenant_id=${A}`, {
        headers: { authorization: `Bearer ${officerA.token}` },
      });
      expect(dl.status).toBe(200);
      expect(dl.headers.get('content-disposition')).toMatch(
        new RegExp(`^attachment; filename="audit-bundle-${A}-\\d{4}-\\d{2}-\\d{2}\\.json"$`),
      );
      const bundle = JSON.parse(await dl.text());
      expect(bundle).toMatchObject({ format: 'fmo-audit-bundle/v1', tenant_id: A });
      expect(bundle.proofs.length).toBe(4);
      expect(bundle.entries.map((e: Json) => e.action)).toEqual(
        expect.arrayContaining(['events.batch', 'trace.read', 'document.erase', 'audit.export']),
      );
      expect(
        (await globalThis.fetch(`${s.url}/v1/audit/bundle?tenant_id=${A}`, { headers: { authorization: `Bearer ${officerB.token}` } }))
          .status,
      ).toBe(403);

      const file = path.join(dir, 'intact.json');
      fs.writeFileSync(file, JSON.stringify(bundle));
      const fp = createHash('sha256').update(bundle.verifier_key).digest('hex');
      // No database, no data dir, no network: an environment pointing nowhere.
      const nowhere = { DATABASE_URL: 'postgres://127.0.0.1:1/none', FMO_DATA_DIR: path.join(dir, 'missing') };
      const ok = await cli(['audit', 'verify', '--bundle', file, '--key', fp], nowhere);
      expect(ok.code).toBe(0);
      expect(ok.out).toMatch(
        new RegExp(`^ok\\s+${A}: \\d+ entries, \\d+ signed checkpoints, 4 inclusion proofs; key ${fp} \\(as expected\\)`),
      );
      expect((await cli(['audit', 'verify', '--bundle', file], nowhere)).code).toBe(0);
      const wrongKey = await cli(['audit', 'verify', '--bundle', file, '--key', '0'.repeat(64)], nowhere);
      expect(wrongKey.code).toBe(1);
      expect(wrongKey.out).toMatch(/FAIL {2}key verifier_key: the bundle is signed by key/);

      const tampered = async (name: string, edit: (b: Json) => void) => {
        const b = structuredClone(bundle);
        edit(b);
        const f = path.join(dir, `${name}.json`);
        fs.writeFileSync(f, JSON.stringify(b));
        return cli(['audit', 'verify', '--bundle', f], nowhere);
      };
      const seq2 = bundle.entries[1];
      const entry = await tampered('entry', (b) => {
        b.entries[1].actor = `${b.entries[1].actor}x`;
      });
      expect(entry.code).toBe(1);
      expect(entry.out).toContain(`FAIL  entry entries[seq=${seq2.seq}]: hash_mismatch`);

      const pi = bundle.proofs.findIndex((p: Json) => p.path.length > 0);
      expect(pi).toBeGreaterThanOrEqual(0);
      const proof = await tampered('proof', (b) => {
        const h: string = b.proofs[pi].path[0];
        b.proofs[pi].path[0] = `${h[0] === 'a' ? 'b' : 'a'}${h.slice(1)}`;
      });
      expect(proof.code).toBe(1);
      expect(proof.out).toContain(`FAIL  proof proofs[${pi}] (event ${bundle.proofs[pi].event_id})`);
      const leaf = await tampered('leaf', (b) => {
        b.proofs[0].leaf_data = b.proofs[0].leaf_data.replace('"completed"', '"failed"');
      });
      expect(leaf.code).toBe(1);
      expect(leaf.out).toContain('FAIL  proof proofs[0]');

      const last = bundle.checkpoints.length - 1;
      const checkpoint = await tampered('checkpoint', (b) => {
        const note: string = b.checkpoints[last];
        // One character of the signed body (the base64 head hash, line 4).
        const lines = note.split('\n');
        lines[3] = `${lines[3]?.[0] === 'A' ? 'B' : 'A'}${lines[3]?.slice(1)}`;
        b.checkpoints[last] = lines.join('\n');
      });
      expect(checkpoint.code).toBe(1);
      expect(checkpoint.out).toMatch(/FAIL {2}checkpoint /);

      const key = await tampered('key', (b) => {
        const k: string = b.verifier_key;
        const i = k.length - 5;
        b.verifier_key = `${k.slice(0, i)}${k[i] === 'A' ? 'B' : 'A'}${k.slice(i + 1)}`;
      });
      expect(key.code).toBe(1);
      expect(key.out).toMatch(/FAIL {2}key verifier_key: /);

      // Direct mode (no server in the way, the database itself): the same bundle, verifiable; a document's state.
      // (Embedded: PGlite admits one process, so the CLI goes through the running server it finds in the data dir.)
      const direct: NodeJS.ProcessEnv = s.config.databaseUrl
        ? { DATABASE_URL: s.config.databaseUrl, FMO_DATA_DIR: s.config.dataDir }
        : { FMO_DATA_DIR: s.config.dataDir };
      const dfile = path.join(dir, 'direct.json');
      const dexp = await cli(['audit', 'export', '--tenant', A, '--out', dfile], direct);
      expect(dexp.code, dexp.err).toBe(0);
      expect((await cli(['audit', 'verify', '--bundle', dfile, '--key', fp], nowhere)).code).toBe(0);
      const show = await cli(['documents', 'show', '--tenant', A, '--document', D1], direct);
      expect(show.code, show.err).toBe(0);
      expect(JSON.parse(show.out)).toMatchObject({ document_id: D1, erased: true, held: false, events: 2 });

      // The CLI writes the same bundle from a running server; a missing file is exit 1.
      const out = path.join(dir, 'cli.json');
      const exp = await cli(['audit', 'export', '--tenant', A, '--out', out, ...http()]);
      expect(exp.code).toBe(0);
      expect(exp.err).toMatch(/wrote .*cli\.json: \d+ entries, 4 proofs, \d+ checkpoints; key fingerprint [0-9a-f]{64}/);
      expect((await cli(['audit', 'verify', '--bundle', out, '--key', fp], nowhere)).code).toBe(0);
      expect((await cli(['audit', 'verify', '--bundle', path.join(dir, 'nope.json')], nowhere)).code).toBe(1);
    });

    it('legal hold through a retention run: aged events of a held document survive, erasure refuses it; after release retention removes them', async () => {
      // CLI over the API: exit 2 for a usage error, 0 for a hold.
      expect((await cli(['documents', 'hold', '--tenant', H, '--document', HD, ...http()])).code).toBe(2);
      const hold = await cli(['documents', 'hold', '--tenant', H, '--document', HD, '--reason', 'litigation 2026-17', ...http()]);
      expect(hold.code).toBe(0);
      expect(JSON.parse(hold.out)).toMatchObject({ held: true, hold_reason: 'litigation 2026-17', events: 2 });
      const refused = await post(`/v1/documents/${HD}/erase`, { tenant_id: H, confirm: true });
      expect(refused.status).toBe(409);
      expect(refused.body.message).toMatch(/legal hold.*release the hold before erasing/);
      const cliErase = await cli(['documents', 'erase', '--tenant', H, '--document', HD, '--yes', ...http()]);
      expect(cliErase.code).toBe(1);
      expect(cliErase.err).toMatch(/409.*legal hold/);
      expect((await cli(['documents', 'erase', '--tenant', H, '--document', HD, ...http()])).code).toBe(2);

      // 31 days on, today's events are past the 30-day window.
      const now = Date.now();
      const first = await s.app.retention.run(new Date(now + 31 * DAY));
      const today = new Date(now).toISOString().slice(0, 10);
      expect(first.held_documents).toContainEqual({ tenant_id: H, document_id: HD });
      expect(first.held_days).toContain(today);
      expect(first.dropped_days).not.toContain(today);
      expect(first.held_events_kept).toBe(2);
      const kept = await get(`/v1/documents/${HD}/events`);
      expect(kept.body.events.map((e: Json) => e.id).sort()).toEqual(ev.hd?.map((e) => e.id).sort());
      expect((await get(`/v1/events/${ev.hd?.[0]?.id}`)).body.trace).toMatchObject({ readable: true, input: { text: 'input held' } });
      // Everything else of the day is gone: the free document of the same tenant, and other tenants.
      expect((await get(`/v1/events/${ev.hf?.[0]?.id}`)).status).toBe(404);
      expect((await get(`/v1/events/${ev.d2?.[0]?.id}`)).status).toBe(404);
      const log = (await get(`/v1/audit?action=retention.run&tenant_id=_system&limit=1`)).body.entries[0];
      expect(log.details.held_documents).toContainEqual({ tenant_id: H, document_id: HD });
      // The held events stay provable though their batch's other event (HF's) is gone:
      // the batch's leaf hashes were kept before it went.
      expect(first.held_batches_pinned).toBeGreaterThanOrEqual(1);
      const provable = async () => {
        for (const e of ev.hd ?? []) {
          const p = await get(`/v1/audit/proof/${e.id}`);
          expect(p.status, `proof of held event ${e.id}`).toBe(200);
          expect(p.body).toMatchObject({ verified: true });
        }
      };
      await provable();

      // A second run while still held keeps them, and does not summarise the day twice.
      const second = await s.app.retention.run(new Date(now + 32 * DAY));
      expect(second.held_days).toContain(today);
      expect(second.summaries_written).toBe(0);
      expect(second.held_batches_pinned).toBe(0);

      // A year on, the audit prune takes other tenants' entries but stops before the
      // held document's oldest one: its batch, its hold, its reads stay in the chain.
      const year = await s.app.retention.run(new Date(now + 400 * DAY));
      expect(year.held_events_kept).toBe(2);
      expect(year.audit_pruned[A]).toBeGreaterThan(0);
      const floor = year.audit_held_from[H] as number;
      expect(floor).toBeGreaterThan(0);
      // What came before (the ingest key's creation) may go; nothing from the floor on.
      expect(year.audit_pruned[H] ?? 0).toBeLessThan(floor);
      const heldLog = (await get(`/v1/audit?tenant_id=${H}&limit=100`)).body.entries.map((e: Json) => e.action);
      expect(heldLog).toEqual(expect.arrayContaining(['events.batch', 'document.hold']));
      await provable();
      await s.app.audit.checkpointAll();
      expect((await get('/v1/audit/verify')).body.ok).toBe(true);
      // The stored events check names a held event edited by hand (its leaf hash was kept).
      const verifyH = () => get(`/v1/audit/verify?tenant_id=${H}&events=true`);
      expect((await verifyH()).body).toMatchObject({ ok: true, tenants: [{ tenant_id: H, ok: true, events_checked: 2 }] });
      const victim = ev.hd?.[1]?.id as string;
      const { rows: orig } = await s.app.db.query<{ model_version: string }>('SELECT model_version FROM model_events WHERE id = $1', [victim]);
      await s.app.db.query(`UPDATE model_events SET model_version = 'v-forged' WHERE id = $1`, [victim]);
      const caught = (await verifyH()).body;
      expect(caught.ok).toBe(false);
      expect(caught.tenants[0].first_bad).toMatchObject({ reason: 'events', detail: expect.stringContaining(`event ${victim} of events.batch seq`) });
      await s.app.db.query('UPDATE model_events SET model_version = $2 WHERE id = $1', [victim, orig[0]?.model_version]);
      expect((await verifyH()).body.ok).toBe(true);
      // The offline bundle proves them too, and verifies with no database.
      const bundle = (await get(`/v1/audit/bundle?tenant_id=${H}`)).body;
      expect(bundle.proofs.map((p: Json) => p.event_id).sort()).toEqual(ev.hd?.map((e) => e.id).sort());
      const file = path.join(dir, 'held.json');
      fs.writeFileSync(file, JSON.stringify(bundle));
      const offline = await cli(['audit', 'verify', '--bundle', file], { DATABASE_URL: 'postgres://127.0.0.1:1/none', FMO_DATA_DIR: path.join(dir, 'missing') });
      expect(offline.code, offline.out).toBe(0);
      expect(offline.out).toMatch(/2 inclusion proofs/);

      const rel = await cli(['documents', 'release', '--tenant', H, '--document', HD, ...http()]);
      expect(rel.code).toBe(0);
      expect(JSON.parse(rel.out)).toMatchObject({ held: false, held_at: null });
      expect((await cli(['documents', 'release', '--tenant', H, '--document', HD, ...http()])).code).toBe(1);
      const actions = (await get(`/v1/audit?tenant_id=${H}&limit=100`)).body.entries.map((e: Json) => e.action);
      expect(actions).toEqual(expect.arrayContaining(['document.hold', 'document.release']));
      // Released: the next run drops the events and prunes the tenant's old entries too.
      const third = await s.app.retention.run(new Date(now + 401 * DAY));
      expect(third.held_documents).toEqual([]);
      expect(third.dropped_days).toContain(today);
      expect(third.audit_pruned[H]).toBeGreaterThan(0);
      expect((await get(`/v1/documents/${HD}/events`)).body.events).toEqual([]);
      expect((await get(`/v1/audit/proof/${ev.hd?.[0]?.id}`)).status).toBe(404);

      await s.app.audit.checkpointAll();
      expect((await get('/v1/audit/verify')).body.ok).toBe(true);
    });
  });

describe('read audit at shutdown (server mode)', () => {
  it('reads counted in the last second are written when the server stops, not lost', async () => {
    const db = await freshPgDatabase();
    try {
      const s = await startServer('server', { databaseUrl: db.url, auditCheckpointMs: 0 });
      const T = uniq('cs');
      const e = makeEvent({ tenant_id: T, trace: trace('stop') });
      try {
        const { key } = await ingestKey(s.url, T);
        expect((await postEvents(s.url, [e], { authorization: `Bearer ${key}` })).status).toBe(202);
        await until(
          () => call(`${s.url}/v1/events/${e.id}`, TEST_ADMIN_TOKEN, { headers: { 'x-access-purpose': 'last words' } }),
          (r) => r.status === 200,
          20_000,
        );
      } finally {
        // At once: well within the one-second flush window.
        await s.close({ keepData: true });
      }
      const c = new pg.Client({ connectionString: db.url });
      await c.connect();
      const { rows } = await c.query(
        "SELECT details FROM audit_log WHERE tenant_id = $1 AND action = 'trace.read' AND details->>'purpose' = 'last words'",
        [T],
      );
      await c.end();
      expect(rows).toHaveLength(1);
      expect(rows[0].details).toMatchObject({ event_id: e.id, reads: 1 });
    } finally {
      await db.drop();
    }
  }, 90_000);
});
