import fs from 'node:fs';
import path from 'node:path';
import type { FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import type { RequestContext } from '../access/auth.ts';
import { HttpError } from '../kernel/errors.ts';
import { isPermission, PUBLIC } from '../access/permissions.ts';

export type { RequestContext } from '../access/auth.ts';
export type { Role } from '../access/permissions.ts';

/** The context of a public route (health, OpenAPI, login exchange): no permissions, no tenants. */
const ANONYMOUS: RequestContext = {
  principal: { kind: 'anonymous', id: 'anonymous', name: 'anonymous' },
  role: 'viewer',
  permissions: [],
  scope: [],
  tenant: null,
  canSeePayloads: false,
};

/** Where the CLI finds a running embedded server (PGlite admits one process only). */
export const CLI_FILE = 'server.json';

const deny = (reply: FastifyReply, status: 400 | 401 | 403, message: string) => {
  if (status === 401) reply.header('www-authenticate', 'Bearer realm="fmo"');
  const error = status === 400 ? 'Bad Request' : status === 401 ? 'Unauthorized' : 'Forbidden';
  return reply.code(status).send({ statusCode: status, error, message });
};

/** The bearer token: the Authorization header, or `access_token` in the query on routes
 * that allow it (SSE and WebSocket: browsers cannot set headers on those). */
function tokenOf(req: FastifyRequest): string | null {
  const h = req.headers.authorization;
  if (h !== undefined) {
    const m = /^Bearer\s+(\S+)\s*$/i.exec(h);
    return m ? (m[1] as string) : '';
  }
  const q = req.query as Record<string, unknown> | undefined;
  if (req.routeOptions.config?.allowQueryToken && q && typeof q.access_token === 'string') return q.access_token;
  return null;
}

/**
 * Authentication and authorisation, once, for every route (DESIGN §5). An onRequest
 * hook reads the route's declared `config.permission`: 'public' runs anonymously;
 * anything else needs a bearer credential holding that permission (401 without a
 * valid one, 403 without the permission). A route that declares nothing, or a
 * permission the matrix does not know, is refused: forgetting fails closed.
 * Handlers then read `req.ctx` (principal, role, tenant scope, payload visibility).
 */
export const contextPlugin = fp(
  async (app) => {
    const auth = app.auth;
    const cliToken = app.services.cliToken;
    app.decorateRequest('ctx', null as unknown as RequestContext);

    app.addHook('onRequest', async (req, reply) => {
      if (req.is404) {
        req.ctx = ANONYMOUS;
        return;
      }
      const permission = req.routeOptions.config?.permission;
      if (permission === PUBLIC) {
        req.ctx = ANONYMOUS;
        return;
      }
      if (!isPermission(permission)) {
        req.log.error({ route: req.routeOptions.url, permission }, 'route declares no known permission: refused');
        return deny(reply, 403, 'this route declares no permission, so nobody may call it');
      }
      const token = tokenOf(req);
      if (token === null)
        return deny(reply, 401, 'send Authorization: Bearer <token> (an ingest API key, a user token or the admin token)');
      if (token === '') return deny(reply, 401, 'Authorization must be "Bearer <token>"');
      try {
        req.ctx = await auth.authenticate(token);
      } catch (e) {
        if (e instanceof HttpError && (e.statusCode === 400 || e.statusCode === 401)) return deny(reply, e.statusCode, e.message);
        throw e;
      }
      if (!req.ctx.permissions.includes(permission)) {
        return deny(
          reply,
          403,
          `this needs the '${permission}' permission, which ${req.ctx.principal.kind === 'api_key' ? 'an ingest key' : `the role '${req.ctx.role}'`} does not have`,
        );
      }
      // The token must not reach the handler's query schema or any log line.
      const q = req.query as Record<string, unknown> | undefined;
      if (q && 'access_token' in q) delete q.access_token;
    });

    if (cliToken) {
      const file = path.join(app.config.dataDir, CLI_FILE);
      app.addHook('onListen', async () => {
        const addr = app.server.address();
        const port = typeof addr === 'object' && addr ? addr.port : app.config.port;
        fs.mkdirSync(app.config.dataDir, { recursive: true });
        fs.rmSync(file, { force: true });
        fs.writeFileSync(file, JSON.stringify({ url: `http://127.0.0.1:${port}`, token: cliToken, pid: process.pid }), {
          mode: 0o600,
          flag: 'wx',
        });
        // Like Jupyter: a single-use link instead of a default password. On stdout,
        // not in the log, which may be shipped elsewhere.
        if (app.config.loginLink) {
          process.stdout.write(
            `\n  Open the observatory (one-time link, valid 15 minutes):\n  http://localhost:${port}/login?code=${auth.createLoginCode()}\n\n`,
          );
        }
      });
      app.addHook('onClose', async () => {
        fs.rmSync(file, { force: true });
      });
    }
  },
  { name: 'auth', dependencies: ['services'] },
);
