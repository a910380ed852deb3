import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TraceCrypto } from '../../src/crypto/trace-crypto.ts';
import { makeEvent, makeStorage, postEvents, type StorageKind, startServer, TEST_ADMIN_TOKEN, uniq, until } from '../helper.ts';
import { call } from './support.ts';

/**
 * Issue 12 item 7: AES-GCM with random 96-bit IVs is safe for 2^32 seals per key, so
 * every data key counts its seals (summed over processes, migrations/0020) and is
 * rotated automatically at FMO_DATA_KEY_MAX_SEALS. Tests use a budget of a few seals.
 */
for (const kind of ['pglite', 'postgres'] as StorageKind[]) {
  describe(`data-key seal budget (${kind})`, () => {
    let store: Awaited<ReturnType<typeof makeStorage>>;
    const master = randomBytes(32);
    beforeAll(async () => {
      store = await makeStorage(kind);
    }, 60_000);
    afterAll(() => store?.cleanup());

    const versions = async (tenant: string) =>
      (await store.keys.dataKeys()).filter((k) => k.tenant_id === tenant).map((k) => ({ version: k.version, primary: k.primary, seals: k.seals }));

    it('counts seals per key and rotates once the budget is reached; old values still open', async () => {
      const tenant = uniq('ta');
      const rotated: unknown[] = [];
      const crypto = await TraceCrypto.load(master, store.keys, { maxSeals: 5, onRotated: async (r) => void rotated.push(r) });
      await crypto.prepare([tenant]);
      const first = [0, 1, 2].map((i) => crypto.seal(tenant, `e${i}`, 'payload', `value ${i}`));
      await crypto.reportSeals();
      expect(await versions(tenant)).toEqual([{ version: 1, primary: true, seals: 3 }]);
      expect(rotated).toEqual([]);

      const more = [3, 4].map((i) => crypto.seal(tenant, `e${i}`, 'payload', `value ${i}`));
      await crypto.reportSeals();
      expect(rotated).toEqual([{ tenant, from: 1, to: 2, seals: 5 }]);
      expect(await versions(tenant)).toEqual([
        { version: 1, primary: false, seals: 5 },
        { version: 2, primary: true, seals: 0 },
      ]);
      const after = crypto.seal(tenant, 'e5', 'payload', 'value 5');
      expect(after.keyVersion).toBe(2);
      for (const [i, s] of [...first, ...more].entries()) {
        expect(crypto.open(tenant, `e${i}`, 'payload', s.sealed.toString('base64'))).toEqual({ ok: true, text: `value ${i}` });
      }
      expect(crypto.stats).toMatchObject({ sealed: 6, rotations: 1 });
    });

    it('two processes sharing the keys: their counts add up and the key is rotated once', async () => {
      const tenant = uniq('tb');
      const a = await TraceCrypto.load(master, store.keys, { maxSeals: 8 });
      const b = await TraceCrypto.load(master, store.keys, { maxSeals: 8 });
      await a.prepare([tenant]);
      await b.prepare([tenant]);
      for (let i = 0; i < 5; i++) a.seal(tenant, `a${i}`, 'payload', 'x');
      for (let i = 0; i < 5; i++) b.seal(tenant, `b${i}`, 'payload', 'x');
      // Neither process alone is over the budget; together they are.
      await Promise.all([a.reportSeals(), b.reportSeals()]);
      const keys = await versions(tenant);
      expect(keys.map((k) => k.version)).toEqual([1, 2]);
      expect(keys[0]).toMatchObject({ primary: false, seals: 10 });
      expect(a.stats.rotations + b.stats.rotations).toBeGreaterThanOrEqual(1);
      // The process that did not rotate moves to the new key at its next report.
      await a.reload();
      await b.reload();
      expect(a.seal(tenant, 'a9', 'payload', 'x').keyVersion).toBe(2);
      expect(b.seal(tenant, 'b9', 'payload', 'x').keyVersion).toBe(2);
    });

    it('a report the database refuses keeps its counts for the next one', async () => {
      const tenant = uniq('tc');
      const crypto = await TraceCrypto.load(master, store.keys, { maxSeals: 100 });
      await crypto.prepare([tenant]);
      crypto.seal(tenant, 'e0', 'payload', 'x');
      // A real refusal by the database (a trigger raising on this tenant's key), not a
      // stand-in for our own code.
      await store.db.query(
        `CREATE FUNCTION fault_refuse_seals() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'database away'; END $$`,
      );
      await store.db.query(
        `CREATE TRIGGER fault_refuse_seals BEFORE UPDATE ON encryption_keys FOR EACH ROW
           WHEN (NEW.tenant_id = '${tenant}') EXECUTE FUNCTION fault_refuse_seals()`,
      );
      try {
        await expect(crypto.reportSeals()).rejects.toThrow('database away');
        expect((await versions(tenant))[0]?.seals).toBe(0);
      } finally {
        await store.db.query('DROP TRIGGER fault_refuse_seals ON encryption_keys');
        await store.db.query('DROP FUNCTION fault_refuse_seals()');
      }
      crypto.seal(tenant, 'e1', 'payload', 'x');
      await crypto.reportSeals();
      expect((await versions(tenant))[0]?.seals).toBe(2);
    });

    it('refuses a budget at or beyond half the random-IV limit, and nonsense', async () => {
      for (const maxSeals of [0, -1, 1.5, Number.NaN, 2 ** 31 + 1, 2 ** 32]) {
        await expect(TraceCrypto.load(master, store.keys, { maxSeals })).rejects.toThrow(/seal limit must be an integer/);
      }
    });
  });
}

for (const mode of ['embedded', 'server'] as const) {
  describe(`automatic data-key rotation through ingest (${mode})`, () => {
    let s: Awaited<ReturnType<typeof startServer>>;
    beforeAll(async () => {
      s = await startServer(mode, { dataKeyMaxSeals: 4 });
    }, 60_000);
    afterAll(() => s?.close());

    it('rotates after FMO_DATA_KEY_MAX_SEALS traces, audits it, shows it in /metrics, and every trace still reads', async () => {
      const tenant = uniq('t');
      const events = Array.from({ length: 6 }, (_, i) => makeEvent({ tenant_id: tenant, trace: { input: { n: i }, output: { ok: true } } }));
      for (const e of events) expect((await postEvents(s.url, [e])).status).toBe(202);
      const audit = await until(
        () => call(`${s.url}/v1/audit?tenant_id=${tenant}&limit=50`, TEST_ADMIN_TOKEN),
        (r) => JSON.stringify(r.body).includes('seal_limit'),
        15_000,
        200,
      );
      const entry = (audit.body.entries as { action: string; details: Record<string, unknown> }[]).find((e) => e.details?.reason === 'seal_limit');
      expect(entry).toMatchObject({ action: 'key.rotate', details: { previous: 1, version: 2, max_seals: 4 } });
      const metrics = await (await fetch(`${s.url}/metrics`, { headers: { authorization: `Bearer ${TEST_ADMIN_TOKEN}` } })).text();
      expect(metrics).toMatch(/^fmo_data_key_auto_rotations [1-9]/m);
      expect(metrics).toMatch(/^fmo_data_key_seals [6-9]/m);
      for (const e of events) {
        const r = await until(
          () => call(`${s.url}/v1/events/${e.id}`, TEST_ADMIN_TOKEN),
          (x) => x.status === 200,
        );
        expect(r.body.trace).toMatchObject({ readable: true, input: { n: events.indexOf(e) } });
      }
    });
  });
}
