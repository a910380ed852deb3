import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { run } from '../../src/cli/frostbyte.ts';
import { makeEvent, postEvents, startServer, TEST_ADMIN_TOKEN, uniq, until } from '../helper.ts';
import { record, withSeqs } from '../shared-suites/records.ts';
import { call } from './support.ts';

/**
 * Must show: ciphertext copied into another row or tenant fails to decrypt; after
 * `keys rotate` every old trace still reads; `tenants erase` crypto-shreds a tenant
 * while the audit chain still verifies. Rotation and erasure go through the CLI
 * against the running server (embedded: found through its data dir; server: --url).
 */
for (const mode of ['embedded', 'server'] as const) {
  describe(`field encryption, rotation and erasure (${mode})`, () => {
    let s: Awaited<ReturnType<typeof startServer>>;
    const A = uniq('a');
    const B = uniq('b');
    const trace = (who: string) => ({
      input: { text: `${who} input` },
      output: { label: `${who} label` },
      decision_rationale: `${who} rationale`,
      confidence_score: 0.75,
    });
    const cli = async (...args: string[]) => {
      const out: string[] = [];
      const flags = mode === 'server' ? ['--url', s.url, '--token', TEST_ADMIN_TOKEN] : [];
      const code = await run(
        [...args, ...flags],
        (l) => out.push(l),
        (l) => out.push(l),
        { FMO_DATA_DIR: s.config.dataDir },
      );
      return { code, text: out.join('\n') };
    };
    const read = (id: string) =>
      until(
        () => call(`${s.url}/v1/events/${id}`, TEST_ADMIN_TOKEN),
        (r) => r.status === 200,
      );

    beforeAll(async () => {
      s = await startServer(mode);
    }, 60_000);
    afterAll(() => s?.close());

    it('stores ciphertext only, and ciphertext moved to another row or tenant does not decrypt', async () => {
      const a1 = makeEvent({ tenant_id: A, trace: trace('a1') });
      const a2 = makeEvent({ tenant_id: A, trace: trace('a2') });
      const b1 = makeEvent({ tenant_id: B, trace: trace('b1') });
      await postEvents(s.url, [a1, a2, b1]);
      for (const e of [a1, a2, b1]) expect((await read(e.id)).body.trace.readable).toBe(true);
      const db = s.app.db;
      const stored = (await db.query<{ payload: Uint8Array }>('SELECT payload FROM decision_traces WHERE event_id = $1', [a1.id])).rows[0];
      expect(Buffer.from(stored?.payload as Uint8Array).toString('utf8')).not.toContain('a1 input');
      // Moved to another row of the same tenant, and to a row of another tenant.
      await db.query('UPDATE decision_traces SET payload = (SELECT payload FROM decision_traces WHERE event_id = $1) WHERE event_id IN ($2, $3)', [
        a1.id,
        a2.id,
        b1.id,
      ]);
      for (const e of [a2, b1]) {
        const r = await read(e.id);
        expect(r.body.trace).toMatchObject({ readable: false, input: null, output: null, decision_rationale: null });
      }
      expect((await read(a1.id)).body.trace.input).toEqual({ text: 'a1 input' });
    });

    it('still reads traces stored before migration 0015, when each field was sealed on its own', async () => {
      const T = uniq('legacy');
      await s.app.traceCrypto.prepare([T]);
      const r = record({ tenant_id: T });
      const seal = (col: 'input' | 'decision_rationale', text: string) => s.app.traceCrypto.seal(T, r.event.id, col, text).sealed.toString('base64');
      r.trace = { input: seal('input', JSON.stringify({ text: 'old input' })), output: null, decision_rationale: seal('decision_rationale', 'old why'), confidence_score: 0.5, redactions: {}, key_version: 1 };
      r.event.has_trace = true;
      await s.app.storage.insertRecords(withSeqs([r]));
      expect((await read(r.event.id)).body.trace).toMatchObject({ readable: true, input: { text: 'old input' }, output: null, decision_rationale: 'old why' });
    });

    it('after `keys rotate` old traces still read and new ones use the new key; `tenants erase` shreds one tenant only', async () => {
      const T = uniq('rot');
      const before = makeEvent({ tenant_id: T, trace: trace('old') });
      await postEvents(s.url, [before]);
      expect((await read(before.id)).body.trace.readable).toBe(true);
      const rotated = await cli('keys', 'rotate', '--tenant', T);
      expect(rotated.code).toBe(0);
      expect(JSON.parse(rotated.text)).toEqual({ tenant_id: T, version: 2 });
      const after = makeEvent({ tenant_id: T, trace: trace('new') });
      await postEvents(s.url, [after]);
      const oldRead = await read(before.id);
      const newRead = await read(after.id);
      expect(oldRead.body.trace).toMatchObject({ readable: true, input: { text: 'old input' } });
      expect(newRead.body.trace).toMatchObject({ readable: true, input: { text: 'new input' } });
      const versions = await s.app.db.query<{ event_id: string; key_version: number }>(
        'SELECT event_id, key_version FROM decision_traces WHERE tenant_id = $1 ORDER BY key_version',
        [T],
      );
      expect(versions.rows.map((r) => Number(r.key_version))).toEqual([1, 2]);

      const other = makeEvent({ tenant_id: uniq('keep'), trace: trace('kept') });
      await postEvents(s.url, [other]);
      expect((await cli('tenants', 'erase', '--tenant', T)).code).toBe(2); // needs --yes
      const erased = await cli('tenants', 'erase', '--tenant', T, '--yes');
      expect(erased.code).toBe(0);
      expect(JSON.parse(erased.text)).toEqual({ tenant_id: T, destroyed_keys: 2 });
      for (const e of [before, after]) expect((await read(e.id)).body.trace).toMatchObject({ readable: false, input: null });
      expect((await read(other.id)).body.trace.readable).toBe(true);
      // The events themselves remain (their metadata is not personal data), and the audit chain holds.
      expect((await read(before.id)).body.event.id).toBe(before.id);
      const audit = await call(`${s.url}/v1/audit?tenant_id=${T}`, TEST_ADMIN_TOKEN);
      expect(audit.body.entries.map((e: { action: string }) => e.action)).toEqual(expect.arrayContaining(['key.rotate', 'tenant.erase']));
      const verified = await call(`${s.url}/v1/audit/verify?tenant_id=${T}`, TEST_ADMIN_TOKEN);
      expect(verified.body).toMatchObject({ ok: true, tenants: [{ tenant_id: T, ok: true }] });
    });
  });
}
