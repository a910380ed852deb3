import { randomBytes } from 'node:crypto';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { run } from '../../src/cli/frostbyte.ts';
import { hashEntry } from '../../src/audit/audit-chain.ts';
import { createPgliteClient } from '../../src/storage/pglite-client.ts';
import type { SqlClient } from '../../src/storage/sql-client.ts';
import { freshPgDatabase, startServer, TEST_ADMIN_TOKEN, tempDir, uniq } from '../helper.ts';
import { record, withSeqs } from '../shared-suites/records.ts';
import { call } from './support.ts';

/**
 * Must show: tampering done directly in the database as superuser — an edited row, a
 * deleted row, two rows swapped, a forged insert, a truncated tail, a flipped
 * checkpoint byte — makes `audit verify` fail and name the first bad entry; an
 * untouched log passes. Each scenario tampers with its own tenant's chain, built by a
 * real server (ingest batches + admin actions + signed checkpoints), and is judged by
 * the CLI (`frostbyte audit verify --tenant`) against the database with the server
 * stopped.
 */
const SCENARIOS = ['untouched', 'edited', 'deleted', 'swapped', 'forged', 'rewritten', 'truncated', 'checkpoint', 'event', 'cost', 'gone'] as const;

for (const mode of ['embedded', 'server'] as const) {
  describe(`audit log tampering is detected (${mode === 'embedded' ? 'PGlite' : 'PostgreSQL'})`, () => {
    const seed = randomBytes(32).toString('hex');
    const dataDir = tempDir();
    const tenants = Object.fromEntries(SCENARIOS.map((s) => [s, uniq(`${s.slice(0, 4)}-`)])) as Record<(typeof SCENARIOS)[number], string>;
    let db: { url: string; drop: () => Promise<void> } | null = null;
    let env: NodeJS.ProcessEnv;

    beforeAll(async () => {
      if (mode === 'server') db = await freshPgDatabase();
      const s = await startServer(mode, { dataDir, databaseUrl: db?.url ?? null, auditSigningKey: seed, auditCheckpointMs: 0 });
      for (const t of Object.values(tenants)) {
        // 3 batches of events, then admin actions, with a checkpoint in the middle and at the end.
        // Written through the writer's own storage call (the bus may split an HTTP
        // batch in two, and the expected seqs below assume exactly three).
        for (let b = 1; b <= 3; b++) await s.app.storage.insertRecords(withSeqs(Array.from({ length: 4 }, () => record({ tenant_id: t }))));
        const batches = await call(`${s.url}/v1/audit?tenant_id=${t}&action=events.batch`, TEST_ADMIN_TOKEN);
        expect(batches.body.entries).toHaveLength(3);
        await s.app.audit.checkpointAll();
        for (let i = 0; i < 5; i++)
          await s.app.audit.record({ tenant: t, actor: 'user:alice', action: 'config.change', target: `setting:${i}`, details: { n: i } });
      }
      await s.app.audit.checkpointAll();
      await s.close({ keepData: true });
      env = { FMO_DATA_DIR: dataDir, FMO_AUDIT_SIGNING_KEY: seed, ...(db ? { DATABASE_URL: db.url } : {}) };
    }, 120_000);
    afterAll(async () => {
      await db?.drop();
    });

    /** Runs SQL as the superuser, triggers off (what an attacker with DB access does). */
    async function asSuperuser(fn: (q: SqlClient) => Promise<void>) {
      if (db) {
        const c = new pg.Client({ connectionString: db.url });
        await c.connect();
        const q: SqlClient = {
          kind: 'postgres',
          query: async (sql, params) => ({ rows: (await c.query(sql, params)).rows }),
          exec: async (sql) => void (await c.query(sql)),
          transaction: (f) => f(q),
          close: async () => {},
        };
        await c.query("SET session_replication_role = 'replica'");
        await fn(q);
        await c.end();
      } else {
        const p = await createPgliteClient(path.join(dataDir, 'pglite'));
        await p.exec("SET session_replication_role = 'replica'");
        await fn(p);
        await p.close();
      }
    }

    async function verify(tenant: string) {
      const out: string[] = [];
      const code = await run(
        ['audit', 'verify', '--tenant', tenant],
        (l) => out.push(l),
        (l) => out.push(l),
        env,
      );
      return { code, text: out.join('\n') };
    }

    it('the append-only guard refuses UPDATE, DELETE and TRUNCATE even for the owner, and fmo_app holds no such grant', async () => {
      const t = tenants.untouched;
      const attempts: string[] = [];
      const tryAll = async (q: SqlClient, prefix: string) => {
        for (const sql of [
          `UPDATE audit_log SET actor = 'x' WHERE tenant_id = '${t}'`,
          `DELETE FROM audit_log WHERE tenant_id = '${t}'`,
          'TRUNCATE audit_log',
          'TRUNCATE audit_checkpoints',
        ]) {
          try {
            await q.transaction(async (tx) => {
              await tx.exec(`${prefix}${sql}`);
            });
            attempts.push(`allowed: ${prefix}${sql}`);
          } catch (e) {
            attempts.push(/append-only|permission denied/.test((e as Error).message) ? 'refused' : `other: ${(e as Error).message}`);
          }
        }
      };
      if (db) {
        const c = new pg.Client({ connectionString: db.url });
        await c.connect();
        const q: SqlClient = {
          kind: 'postgres',
          query: async (sql, params) => ({ rows: (await c.query(sql, params)).rows }),
          exec: async (sql) => void (await c.query(sql)),
          transaction: async (f) => {
            await c.query('BEGIN');
            try {
              return await f(q);
            } finally {
              await c.query('ROLLBACK');
            }
          },
          close: async () => {},
        };
        await tryAll(q, '');
        await tryAll(q, "SET LOCAL ROLE fmo_app; SET LOCAL fmo.tenants = '*'; ");
        await c.end();
      } else {
        // PGlite: a refused statement throws, which rolls its transaction back.
        const p = await createPgliteClient(path.join(dataDir, 'pglite'));
        await tryAll(p, '');
        await tryAll(p, "SET LOCAL ROLE fmo_app; SET LOCAL fmo.tenants = '*'; ");
        await p.close();
      }
      expect(attempts).toEqual(Array(8).fill('refused'));
      expect((await verify(t)).code).toBe(0);
    });

    it('an untouched log passes', async () => {
      const r = await verify(tenants.untouched);
      expect(r.code).toBe(0);
      expect(r.text).toMatch(
        new RegExp(`ok\\s+${tenants.untouched}: 8 entries, 2 signed checkpoints, 0 not yet checkpointed; 12 stored events in 3 batches match their roots`),
      );
    });

    it('--chain-only skips the stored events', async () => {
      const t = tenants.untouched;
      const out: string[] = [];
      expect(await run(['audit', 'verify', '--tenant', t, '--chain-only'], (l) => out.push(l), (l) => out.push(l), env)).toBe(0);
      expect(out.join('\n')).not.toMatch(/stored events/);
    });

    const cases: [keyof typeof tenants, (t: string) => (q: SqlClient) => Promise<void>, RegExp][] = [
      [
        'edited',
        (t) => async (q) => void (await q.query(`UPDATE audit_log SET details = '{"n": 99}' WHERE tenant_id = $1 AND seq = 5`, [t])),
        /first bad entry seq 5 \(hash_mismatch\)/,
      ],
      [
        'deleted',
        (t) => async (q) => void (await q.query('DELETE FROM audit_log WHERE tenant_id = $1 AND seq = 2', [t])),
        /first bad entry seq 2 \(missing_entry\)/,
      ],
      [
        'swapped',
        (t) => async (q) => {
          await q.query('UPDATE audit_log SET seq = -1 WHERE tenant_id = $1 AND seq = 6', [t]);
          await q.query('UPDATE audit_log SET seq = 6 WHERE tenant_id = $1 AND seq = 7', [t]);
          await q.query('UPDATE audit_log SET seq = 7 WHERE tenant_id = $1 AND seq = -1', [t]);
        },
        /first bad entry seq 6 \(hash_mismatch\)/,
      ],
      [
        'forged',
        // A forged row whose own hash is right: the next row's link gives it away.
        (t) => async (q) => {
          const prev = (await q.query<Record<string, unknown>>('SELECT * FROM audit_log WHERE tenant_id = $1 AND seq = 3', [t]))
            .rows[0] as Record<string, unknown>;
          await q.query('DELETE FROM audit_log WHERE tenant_id = $1 AND seq = 4', [t]);
          const e = {
            tenant_id: t,
            seq: 4,
            ts: new Date().toISOString(),
            actor: 'user:mallory',
            action: 'key.create',
            target: 'api_key:forged',
            details: {},
            prev_hash: prev.hash as string,
          };
          await q.query(
            `INSERT INTO audit_log (tenant_id, seq, ts, actor, action, target, details, prev_hash, hash) VALUES ($1,$2,$3,$4,$5,$6,'{}',$7,$8)`,
            [t, 4, e.ts, e.actor, e.action, e.target, e.prev_hash, hashEntry(e)],
          );
        },
        /first bad entry seq 5 \(broken_link\)/,
      ],
      [
        'rewritten',
        // The strongest attacker without the signing key: inserts a row and rehashes
        // everything after it. The signed checkpoint at seq 3 no longer matches.
        (t) => async (q) => {
          const rows = (await q.query<Record<string, unknown>>('SELECT * FROM audit_log WHERE tenant_id = $1 ORDER BY seq', [t])).rows;
          await q.query('DELETE FROM audit_log WHERE tenant_id = $1', [t]);
          let prev = '0'.repeat(64);
          const forged = [
            ...rows.slice(0, 1),
            { ...rows[1], actor: 'user:mallory', action: 'key.create', target: 'api_key:forged', details: {}, batch_root: null },
            ...rows.slice(1),
          ];
          let seq = 0;
          for (const r of forged) {
            seq++;
            const e = {
              tenant_id: t,
              seq,
              ts: new Date(r.ts as string).toISOString(),
              actor: r.actor as string,
              action: r.action as string,
              target: r.target as string,
              details: r.details as Record<string, never>,
              ...(r.batch_root ? { batch_root: r.batch_root as string } : {}),
              prev_hash: prev,
            };
            prev = hashEntry(e);
            await q.query(
              `INSERT INTO audit_log (tenant_id, seq, ts, actor, action, target, details, batch_root, prev_hash, hash) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10)`,
              [t, seq, e.ts, e.actor, e.action, e.target, JSON.stringify(e.details), r.batch_root ?? null, e.prev_hash, prev],
            );
          }
        },
        /first bad entry seq 3 \(checkpoint_mismatch\)/,
      ],
      [
        'truncated',
        (t) => async (q) => void (await q.query('DELETE FROM audit_log WHERE tenant_id = $1 AND seq >= 7', [t])),
        /first bad entry seq 7 \(truncated\)/,
      ],
      [
        'checkpoint',
        (t) => async (q) => {
          const { rows } = await q.query<{ size: string; note: string }>(
            'SELECT size, note FROM audit_checkpoints WHERE tenant_id = $1 ORDER BY size LIMIT 1',
            [t],
          );
          const note = (rows[0] as { note: string }).note;
          // Flip one bit of one byte of the signature.
          const sigStart = note.lastIndexOf(' ') + 1;
          const sig = Buffer.from(note.slice(sigStart).trim(), 'base64');
          sig[10] = (sig[10] as number) ^ 0x01;
          const flipped = `${note.slice(0, sigStart)}${sig.toString('base64')}\n`;
          await q.query('UPDATE audit_checkpoints SET note = $1 WHERE tenant_id = $2 AND size = $3', [
            flipped,
            t,
            (rows[0] as { size: string }).size,
          ]);
        },
        /first bad entry seq 3 \(checkpoint_signature\)/,
      ],
      [
        'event',
        // Not the audit log: one stored event of the second batch, edited in place.
        (t) => async (q) => {
          const { rows } = await q.query<{ ids: string[] }>('SELECT event_ids AS ids FROM audit_batches WHERE tenant_id = $1 AND seq = 2', [t]);
          await q.query(`UPDATE model_events SET model_version = 'v-forged' WHERE id = $1`, [rows[0]?.ids[1]]);
        },
        /stored events: the 4 events of events\.batch seq 2 no longer hash to its Merkle root/,
      ],
      [
        'cost',
        // The usage and cost are in the leaf too (v2): a cheaper bill does not pass.
        (t) => async (q) => {
          const { rows } = await q.query<{ ids: string[] }>('SELECT event_ids AS ids FROM audit_batches WHERE tenant_id = $1 AND seq = 1', [t]);
          await q.query('UPDATE model_events SET cost_usd = 0.000000001, reasoning_tokens = 7 WHERE id = $1', [rows[0]?.ids[2]]);
        },
        /stored events: the 4 events of events\.batch seq 1 no longer hash to its Merkle root/,
      ],
      [
        'gone',
        // One stored event deleted: no retention run could have removed it.
        (t) => async (q) => {
          const { rows } = await q.query<{ ids: string[] }>('SELECT event_ids AS ids FROM audit_batches WHERE tenant_id = $1 AND seq = 3', [t]);
          await q.query('DELETE FROM model_events WHERE id = $1', [rows[0]?.ids[0]]);
        },
        /stored events: 1 of the 4 events of events\.batch seq 3 were deleted .*no retention has run/,
      ],
    ];

    for (const [name, tamper, expected] of cases) {
      it(`${name}: verify fails and names the first bad entry`, async () => {
        const t = tenants[name];
        expect((await verify(t)).code).toBe(0);
        await asSuperuser(tamper(t));
        const r = await verify(t);
        expect(r.text).toMatch(new RegExp(`FAIL\\s+${t}`));
        expect(r.text).toMatch(expected);
        expect(r.code).toBe(1);
        // The untouched chain of another tenant still passes.
        expect((await verify(tenants.untouched)).code).toBe(0);
      });
    }
  });
}
