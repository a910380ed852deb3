import { afterAll, describe, expect, it } from 'vitest';
import { run } from '../../src/cli/frostbyte.ts';
import { freshPgDatabase, makeEvent, postEvents, startServer, TEST_ADMIN_TOKEN, tempDir, until } from '../helper.ts';
import { call } from './support.ts';

async function cli(env: NodeJS.ProcessEnv, ...args: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await run(
    args,
    (l) => out.push(l),
    (l) => err.push(l),
    env,
  );
  return { code, out: out.join('\n'), err: err.join('\n') };
}

/** `npm run frostbyte -- …` against the database directly (no server running) and
 * through a running embedded server (PGlite admits one process: the CLI finds the
 * server through its data dir and uses its admin API). */
describe('frostbyte CLI', () => {
  const drops: (() => Promise<void>)[] = [];
  afterAll(async () => {
    for (const d of drops) await d();
  });

  for (const kind of ['pglite', 'postgres'] as const) {
    it(`works directly on the database when no server runs (${kind}): users, tokens, keys, revoke`, async () => {
      const env: NodeJS.ProcessEnv = { FMO_DATA_DIR: tempDir() };
      if (kind === 'postgres') {
        const db = await freshPgDatabase();
        drops.push(db.drop);
        env.DATABASE_URL = db.url;
      }
      const user = await cli(env, 'users', 'create', '--name', 'alice', '--role', 'ml_engineer', '--tenants', 'acme,globex');
      expect(user.code).toBe(0);
      const created = JSON.parse(user.out);
      expect(created).toMatchObject({ name: 'alice', role: 'ml_engineer', tenants: ['acme', 'globex'] });
      expect((await cli(env, 'users', 'create', '--name', 'bob', '--role', 'root', '--tenants', 'a')).code).toBe(1);
      const token = await cli(env, 'token', '--user', 'alice');
      expect(token.out).toMatch(/^ey[\w-]+\.[\w-]+\.[\w-]+$/);
      const key = await cli(env, 'keys', 'create', '--tenant', 'acme');
      expect(key.out).toMatch(/^fmo_ik_[\w-]{43}$/);
      expect(key.err).toMatch(/shown this once/);
      const keyId = /Ingest key ([0-9a-f-]{36})/.exec(key.err)?.[1] as string;

      // The server started on the same database accepts what the CLI made…
      const s = await startServer(kind === 'postgres' ? 'server' : 'embedded', {
        dataDir: env.FMO_DATA_DIR,
        databaseUrl: env.DATABASE_URL ?? null,
      });
      const session = await call(`${s.url}/v1/session`, token.out);
      expect(session.body).toMatchObject({ role: 'ml_engineer', tenants: ['acme', 'globex'], user: { name: 'alice' } });
      expect((await postEvents(s.url, [makeEvent({ tenant_id: 'acme' })], { authorization: `Bearer ${key.out}` })).status).toBe(202);
      // …and, while it runs, the CLI goes through it (embedded) or the database (server).
      const revoked = await cli(env, 'keys', 'revoke', keyId);
      expect(revoked.code).toBe(0);
      expect(JSON.parse(revoked.out).revoked_at).toEqual(expect.any(String));
      if (kind === 'pglite')
        expect((await postEvents(s.url, [makeEvent({ tenant_id: 'acme' })], { authorization: `Bearer ${key.out}` })).status).toBe(401);
      const audit = await call(`${s.url}/v1/audit?action=key.revoke`, TEST_ADMIN_TOKEN);
      expect(audit.body.entries[0]).toMatchObject({ tenant_id: 'acme', action: 'key.revoke', target: `api_key:${keyId}` });
      // Disabling a user refuses its tokens (a server in another process within its 5 s credential cache).
      const disabled = await cli(env, 'users', 'disable', '--user', 'alice');
      expect(disabled.code).toBe(0);
      expect(JSON.parse(disabled.out)).toMatchObject({ name: 'alice', disabled_at: expect.any(String) });
      await until(
        async () => (await call(`${s.url}/v1/session`, token.out)).status,
        (status) => status === 401,
        10_000,
      );
      const listed = JSON.parse((await cli(env, 'users', 'list')).out).users;
      expect(listed.find((u: { name: string }) => u.name === 'alice')).toMatchObject({ disabled_at: expect.any(String) });
      expect((await cli(env, 'token', '--user', 'alice')).code).toBe(1); // no new tokens either
      expect((await cli(env, 'users', 'disable', '--user', 'nobody-at-all')).code).toBe(1);
      const disableAudit = await call(`${s.url}/v1/audit?action=user.disable`, TEST_ADMIN_TOKEN);
      expect(disableAudit.body.entries[0]).toMatchObject({ action: 'user.disable', target: `user:${created.id}` });
      await s.close({ keepData: true });
      // Usage errors exit 2 with a message.
      const usage = await cli(env, 'keys', 'create');
      expect([usage.code, usage.err]).toEqual([2, expect.stringMatching(/needs --tenant/)]);
    });
  }

  it('prints the permission matrix', async () => {
    const r = await cli({}, 'permissions');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^\| permission \| what it allows \| admin/);
  });
});
