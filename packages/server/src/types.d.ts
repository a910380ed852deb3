import type { Config } from './config.ts';
import type { RequestContext } from './access/auth.ts';

// The services' decorators are declared beside the plugin that makes them (plugins/services.ts).
declare module 'fastify' {
  interface FastifyInstance {
    config: Config;
    /** Every route with its declared permission (app.ts records them as they register). */
    routeTable: { method: string; url: string; permission: string | undefined }[];
  }
  interface FastifyRequest {
    ctx: RequestContext;
  }
  interface FastifyContextConfig {
    /** What a caller needs for this route (see access/permissions.ts); 'public' for health checks. */
    permission?: string;
    /** Also take the bearer token from `?access_token=` (SSE, WebSocket: no headers there). */
    allowQueryToken?: boolean;
  }
}
