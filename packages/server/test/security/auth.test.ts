import { newId } from '@frostbyte/contracts';
import { SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isPermission, PUBLIC } from '../../src/access/permissions.ts';
import { makeEvent, postEvents, startServer, TEST_ADMIN_TOKEN, uniq, until } from '../helper.ts';
import { bare, call, ingestKey, userToken } from './support.ts';

for (const mode of ['embedded', 'server'] as const) {
  describe(`authentication and roles (${mode})`, () => {
    let s: Awaited<ReturnType<typeof startServer>>;
    beforeAll(async () => {
      s = await startServer(mode);
    }, 60_000);
    afterAll(() => s?.close());

    it('every route declares a permission the matrix knows (or public)', () => {
      const missing = s.app.routeTable.filter((r) => r.permission !== PUBLIC && !isPermission(r.permission));
      expect(missing).toEqual([]);
      // And the table is not trivially empty: the routes that matter are in it.
      const urls = s.app.routeTable.map((r) => `${r.method} ${r.url}`);
      expect(urls).toEqual(
        expect.arrayContaining(['POST /v1/events', 'GET /telemetry/stream', 'GET /v1/tracer/ws', 'GET /v1/audit', 'POST /v1/admin/keys']),
      );
    });

    it('refuses without a credential, with garbage, forged, expired, oversized tokens: 401/400, never 500', async () => {
      const url = `${s.url}/v1/events`;
      const forged = await new SignJWT({ role: 'admin', tenants: ['*'] })
        .setProtectedHeader({ alg: 'HS256' })
        .setSubject(newId())
        .setIssuer('frostbyte-observatory')
        .setAudience('fmo')
        .setExpirationTime('1h')
        .sign(new TextEncoder().encode('not-the-server-secret-not-the-server-secret'));
      const none = await new SignJWT({ role: 'admin', tenants: ['*'] })
        .setProtectedHeader({ alg: 'HS256' })
        .sign(new TextEncoder().encode('x'.repeat(32)));
      const algNone = `${Buffer.from('{"alg":"none"}').toString('base64url')}.${Buffer.from('{"sub":"x","role":"admin"}').toString('base64url')}.`;
      const cases: [string | null, number][] = [
        [null, 401],
        ['garbage', 401],
        ['a.b.c', 401],
        [forged, 401],
        [none, 401],
        [algNone, 401],
        ['fmo_ik_' + 'A'.repeat(43), 401],
        ['x'.repeat(9000), 400],
      ];
      for (const [token, status] of cases) {
        const r = await call(url, token);
        expect([token?.slice(0, 20), r.status]).toEqual([token?.slice(0, 20), status]);
        expect(r.body.message).toEqual(expect.any(String));
      }
      const badScheme = await bare(url, { headers: { authorization: 'Basic YWRtaW46YWRtaW4=' } });
      await badScheme.text();
      expect(badScheme.status).toBe(401);
      expect(badScheme.headers.get('www-authenticate')).toMatch(/Bearer/);
      // Health checks stay open.
      for (const p of ['/healthz', '/readyz', '/openapi.json']) expect((await call(`${s.url}${p}`, null)).status).toBe(200);
    });

    it('an expired user token is 401', async () => {
      const u = await userToken(s.url, 'viewer', ['acme']);
      expect((await call(`${s.url}/v1/session`, u.token)).status).toBe(200);
      // The API refuses a ttl < 60 s; sign an expired one with the server's own key.
      const user = await s.app.identity.user(u.id);
      const expired = await s.app.auth.issueUserToken(user as NonNullable<typeof user>, -60);
      const r = await call(`${s.url}/v1/session`, expired.token);
      expect([r.status, r.body.message]).toEqual([401, expect.stringMatching(/expired/)]);
    });

    it('an ingest key writes its own tenant only, reads nothing, and stops working once revoked', async () => {
      const tenant = uniq('t');
      const { key, id } = await ingestKey(s.url, tenant);
      expect(key).toMatch(/^fmo_ik_/);
      const mine = makeEvent({ tenant_id: tenant });
      const implicit = { ...makeEvent(), tenant_id: undefined };
      const foreign = makeEvent({ tenant_id: 'someone-else' });
      const r = await postEvents(s.url, [mine, implicit, foreign], { authorization: `Bearer ${key}` });
      expect(r.status).toBe(202);
      expect(r.body.accepted_ids).toEqual([mine.id, implicit.id]);
      expect(r.body.rejected).toEqual([
        { index: 2, id: foreign.id, errors: [{ path: '/tenant_id', message: expect.stringMatching(/only send events of tenant/) }] },
      ]);
      expect((await call(`${s.url}/v1/events`, key)).status).toBe(403);
      const session = await call(`${s.url}/v1/session`, key);
      expect(session.body).toMatchObject({
        kind: 'api_key',
        role: 'ingest',
        tenants: [tenant],
        permissions: ['session:read', 'events:write', 'pipeline:config'],
      });
      // What its pipeline must run: its own tenant's config, nobody else's.
      const own = await call(`${s.url}/v1/pipeline/config`, key);
      expect([own.status, own.body.tenant]).toEqual([200, tenant]);
      expect((await call(`${s.url}/v1/pipeline/config?tenant=someone-else`, key)).status).toBe(403);
      // The key is stored hashed: nothing in the table equals it.
      const stored = await s.app.identity.keys([tenant]);
      expect(JSON.stringify(stored)).not.toContain(key);
      const revoked = await call(`${s.url}/v1/admin/keys/${id}/revoke`, TEST_ADMIN_TOKEN, { method: 'POST' });
      expect(revoked.status).toBe(200);
      const after = await postEvents(s.url, [makeEvent({ tenant_id: tenant })], { authorization: `Bearer ${key}` });
      expect(after.status).toBe(401);
    });

    it('GET /v1/session says who you are; roles get their permissions; viewer sees no payloads', async () => {
      const tenant = uniq('t');
      const e = makeEvent({
        tenant_id: tenant,
        trace: { input: { q: 'hello' }, output: { a: 'world' }, decision_rationale: 'because', confidence_score: 0.5 },
      });
      await postEvents(s.url, [e]);
      const viewer = await userToken(s.url, 'viewer', [tenant]);
      const engineer = await userToken(s.url, 'ml_engineer', [tenant]);
      const compliance = await userToken(s.url, 'compliance_officer', [tenant]);
      const operator = await userToken(s.url, 'operator', [tenant]);
      const sv = await call(`${s.url}/v1/session`, viewer.token);
      expect(sv.body).toMatchObject({ user: { id: viewer.id, name: viewer.name }, role: 'viewer', tenants: [tenant] });
      expect(sv.body.permissions).toContain('events:read');
      expect(sv.body.permissions).not.toContain('payloads:read');
      const admin = await call(`${s.url}/v1/session`, TEST_ADMIN_TOKEN);
      expect(admin.body).toMatchObject({ role: 'admin', tenants: ['*'] });

      const read = (t: string) =>
        until(
          () => call(`${s.url}/v1/events/${e.id}`, t),
          (r) => r.status === 200,
        );
      const asViewer = await read(viewer.token);
      expect(asViewer.body.event.id).toBe(e.id);
      expect(asViewer.body.trace).toMatchObject({ input: null, output: null, decision_rationale: null, readable: false });
      const asOperator = await read(operator.token);
      expect(asOperator.body.trace.readable).toBe(false);
      const asEngineer = await read(engineer.token);
      expect(asEngineer.body.trace).toMatchObject({ input: { q: 'hello' }, decision_rationale: 'because', readable: true });

      // 403: the credential lacks the permission.
      expect((await call(`${s.url}/v1/audit`, viewer.token)).status).toBe(403);
      expect((await call(`${s.url}/v1/audit`, compliance.token)).status).toBe(200);
      expect((await call(`${s.url}/v1/admin/keys`, engineer.token)).status).toBe(403);
      expect(
        (
          await call(`${s.url}/v1/events`, viewer.token, {
            method: 'POST',
            body: JSON.stringify({ events: [makeEvent({ tenant_id: tenant })] }),
          })
        ).status,
      ).toBe(403);
      // A user whose role is not a role is refused by the API.
      const bad = await call(`${s.url}/v1/admin/users`, TEST_ADMIN_TOKEN, {
        method: 'POST',
        body: JSON.stringify({ name: uniq('x'), role: 'root', tenants: ['a'] }),
      });
      expect(bad.status).toBe(400);
    });

    it('the one-time login code gives an admin token once, then never again', async () => {
      const code = s.app.auth.createLoginCode();
      const first = await call(`${s.url}/v1/auth/exchange`, null, { method: 'POST', body: JSON.stringify({ code }) });
      expect(first.status).toBe(200);
      expect(first.body).toEqual({ token: expect.any(String), expires_at: expect.any(String) });
      const session = await call(`${s.url}/v1/session`, first.body.token);
      expect(session.body).toMatchObject({ role: 'admin', tenants: ['*'], user: { name: 'local-admin' } });
      const again = await call(`${s.url}/v1/auth/exchange`, null, { method: 'POST', body: JSON.stringify({ code }) });
      expect(again.status).toBe(401);
      const wrong = await call(`${s.url}/v1/auth/exchange`, null, { method: 'POST', body: JSON.stringify({ code: 'nope' }) });
      expect(wrong.status).toBe(401);
    });

    it('a route that declares no permission is refused (fails closed)', async () => {
      const { buildApp } = await import('../../src/app.ts');
      const app = await buildApp({
        config: { ...s.config, port: 0, databaseUrl: null, redisUrl: null, dataDir: s.config.dataDir + '-undeclared' },
        inMemory: true,
      });
      app.get('/v1/undeclared', async () => ({ secret: true }));
      await app.ready();
      const r = await app.inject({ url: '/v1/undeclared', headers: { authorization: `Bearer ${TEST_ADMIN_TOKEN}` } });
      expect(r.statusCode).toBe(403);
      expect(r.body).not.toContain('secret');
      await app.close();
    });
  });
}
