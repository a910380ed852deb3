import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { ErrorResponse } from '@frostbyte/contracts';
import { Type } from '@sinclair/typebox';
import { ROLES } from '../../access/permissions.ts';
import { userOut } from '../../admin/admin-service.ts';

const Tenant = Type.String({ pattern: '^[a-z0-9][a-z0-9_-]{0,62}$' });
const Uuid = Type.String({ pattern: '^[0-9a-fA-F-]{36}$' });
const Key = Type.Object({
  id: Type.String(),
  tenant_id: Type.String(),
  name: Type.String(),
  prefix: Type.String(),
  created_by: Type.String(),
  created_at: Type.String(),
  revoked_at: Type.Union([Type.String(), Type.Null()]),
});
const User = Type.Object({
  id: Type.String(),
  name: Type.String(),
  role: Type.String(),
  tenants: Type.Array(Type.String()),
  created_at: Type.String(),
  disabled_at: Type.Union([Type.String(), Type.Null()]),
});
const errors = { 400: ErrorResponse, 401: ErrorResponse, 403: ErrorResponse, 404: ErrorResponse, 409: ErrorResponse };
/**
 * Administration: ingest keys, users and their tokens, data-key rotation, erasure,
 * retention. Each handler is one AdminService call, which audits the action and checks
 * the caller's tenants against the tenants it affects (403 naming a tenant the caller
 * named; 404 for a key or user of another tenant; see AdminService).
 */
export const adminRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const keys = { permission: 'keys:manage' };
  app.post(
    '/v1/admin/keys',
    {
      config: keys,
      schema: {
        tags: ['admin'],
        summary: 'Create an ingest API key for one tenant; the key is in this response only',
        body: Type.Object(
          { tenant: Tenant, name: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })) },
          { additionalProperties: false },
        ),
        response: { 201: Type.Composite([Key, Type.Object({ key: Type.String() })]), ...errors },
      },
    },
    async (req, reply) => reply.code(201).send(await app.admin.createKey(req.ctx, req.body.tenant, req.body.name)),
  );
  app.get(
    '/v1/admin/keys',
    {
      config: keys,
      schema: {
        tags: ['admin'],
        summary: 'Ingest keys (never their secrets)',
        response: { 200: Type.Object({ keys: Type.Array(Key) }), ...errors },
      },
    },
    async (req) => ({ keys: await app.identity.keys(req.ctx.scope) }),
  );
  app.post(
    '/v1/admin/keys/:id/revoke',
    {
      config: keys,
      schema: {
        tags: ['admin'],
        summary: 'Revoke an ingest key (401 from then on)',
        params: Type.Object({ id: Uuid }),
        response: { 200: Key, ...errors },
      },
    },
    async (req) => app.admin.revokeKey(req.ctx, req.params.id),
  );
  app.post(
    '/v1/admin/tenants/:tenant/rotate-key',
    {
      config: keys,
      schema: {
        tags: ['admin'],
        summary: "Make a new primary data key for the tenant's traces; old traces stay readable",
        params: Type.Object({ tenant: Tenant }),
        response: { 200: Type.Object({ tenant_id: Type.String(), version: Type.Integer() }), ...errors },
      },
    },
    async (req) => app.admin.rotateKey(req.ctx, req.params.tenant),
  );
  app.post(
    '/v1/admin/tenants/:tenant/erase',
    {
      config: { permission: 'tenants:erase' },
      schema: {
        tags: ['admin'],
        summary: 'Crypto-shred a tenant: destroy its data keys; its traces become unreadable',
        params: Type.Object({ tenant: Tenant }),
        response: { 200: Type.Object({ tenant_id: Type.String(), destroyed_keys: Type.Integer() }), ...errors },
      },
    },
    async (req) => app.admin.eraseTenant(req.ctx, req.params.tenant),
  );

  const users = { permission: 'users:manage' };
  app.post(
    '/v1/admin/users',
    {
      config: users,
      schema: {
        tags: ['admin'],
        summary: 'Create a user with a role and tenants',
        body: Type.Object(
          {
            name: Type.String({ minLength: 1, maxLength: 64 }),
            role: Type.Union(ROLES.map((r) => Type.Literal(r))),
            tenants: Type.Array(Type.String({ pattern: '^(\\*|[a-z0-9][a-z0-9_-]{0,62})$' }), { minItems: 1, maxItems: 1000 }),
          },
          { additionalProperties: false },
        ),
        response: { 201: User, ...errors },
      },
    },
    async (req, reply) => reply.code(201).send(userOut(await app.admin.createUser(req.ctx, req.body))),
  );
  app.get(
    '/v1/admin/users',
    {
      config: users,
      schema: { tags: ['admin'], summary: 'Users', response: { 200: Type.Object({ users: Type.Array(User) }), ...errors } },
    },
    async (req) => ({ users: await app.admin.listUsers(req.ctx) }),
  );
  app.post(
    '/v1/admin/users/:user/disable',
    {
      config: users,
      schema: {
        tags: ['admin'],
        summary: "Disable a user (by id or name): its tokens are refused from now on; audited",
        params: Type.Object({ user: Type.String({ minLength: 1, maxLength: 64 }) }),
        response: { 200: User, ...errors },
      },
    },
    async (req) => userOut(await app.admin.disableUser(req.ctx, req.params.user)),
  );
  app.post(
    '/v1/admin/users/:user/token',
    {
      config: users,
      schema: {
        tags: ['admin'],
        summary: 'Issue a token for a user (by id or name)',
        params: Type.Object({ user: Type.String({ minLength: 1, maxLength: 64 }) }),
        body: Type.Optional(
          Type.Object({ ttl_s: Type.Optional(Type.Integer({ minimum: 60, maximum: 90 * 86400 })) }, { additionalProperties: false }),
        ),
        response: {
          200: Type.Object({
            token: Type.String(),
            expires_at: Type.String(),
            user: Type.Object({ id: Type.String(), name: Type.String(), role: Type.String() }),
          }),
          ...errors,
        },
      },
    },
    async (req) => app.admin.issueToken(req.ctx, req.params.user, req.body?.ttl_s),
  );

  app.post(
    '/v1/admin/retention/run',
    {
      config: { permission: 'retention:run' },
      schema: {
        tags: ['admin'],
        summary:
          'Run retention now (drop old trace partitions, prune the audit log behind a signed epoch); it covers every tenant, so it needs a credential for every tenant',
      },
    },
    async (req) => app.admin.runRetention(req.ctx),
  );
};
