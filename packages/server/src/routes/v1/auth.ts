import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { ErrorResponse } from '@frostbyte/contracts';
import { Type } from '@sinclair/typebox';

const Session = Type.Object({
  user: Type.Object({ id: Type.String(), name: Type.String() }),
  kind: Type.String({ description: 'user, api_key, admin_token' }),
  role: Type.String(),
  tenants: Type.Array(Type.String(), { description: "'*' means every tenant" }),
  permissions: Type.Array(Type.String()),
  can_see_payloads: Type.Boolean(),
});

/** Who am I, and the one-time login link's exchange. */
export const authRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.post(
    '/v1/auth/exchange',
    {
      config: { permission: 'public' },
      schema: {
        tags: ['auth'],
        summary: 'Trade the one-time code from the start-up login link for an admin token',
        security: [],
        body: Type.Object({ code: Type.String({ minLength: 1, maxLength: 256 }) }, { additionalProperties: false }),
        response: { 200: Type.Object({ token: Type.String(), expires_at: Type.String() }), 400: ErrorResponse, 401: ErrorResponse },
      },
    },
    async (req) => {
      const r = await app.auth.exchangeLoginCode(req.body.code);
      await app.audit.record({
        actor: `user:${r.user.name}`,
        action: 'auth.login_link',
        target: `user:${r.user.id}`,
        details: { expires_at: r.expires_at },
      });
      return { token: r.token, expires_at: r.expires_at };
    },
  );

  app.get(
    '/v1/session',
    {
      config: { permission: 'session:read' },
      schema: { tags: ['auth'], summary: 'The caller: user, role, tenants, permissions', response: { 200: Session, 401: ErrorResponse } },
    },
    async (req) => {
      const c = req.ctx;
      return {
        user: { id: c.principal.id, name: c.principal.name },
        kind: c.principal.kind,
        role: c.principal.kind === 'api_key' ? 'ingest' : c.role,
        tenants: c.scope === '*' ? ['*'] : [...c.scope],
        permissions: [...c.permissions],
        can_see_payloads: c.canSeePayloads,
      };
    },
  );
};
