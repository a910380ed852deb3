import fs from 'node:fs';
import fastifyHelmet from '@fastify/helmet';
import fastifyStatic from '@fastify/static';
import fastifySwagger from '@fastify/swagger';
import fastifySwaggerUi from '@fastify/swagger-ui';
import fastifyWebsocket from '@fastify/websocket';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { MAX_BODY_BYTES } from '@frostbyte/contracts';
import Fastify, { type FastifyInstance, type FastifyServerOptions } from 'fastify';
import type { Bus } from './bus/bus.ts';
import type { Config } from './config.ts';
import { gzipBodies } from './plugins/gzip-bodies.ts';
import { contextPlugin } from './plugins/context.ts';
import { busPlugin, cryptoPlugin, dbPlugin, ingestPlugin } from './plugins/core.ts';
import { errorHandler } from './plugins/errors.ts';
import { metricsPlugin } from './plugins/metrics.ts';
import { sseRoutes } from './live/sse.ts';
import { tracerWsRoutes } from './live/tracer-ws.ts';
import { healthRoutes } from './routes/health.ts';
import { eventRoutes } from './routes/v1/events.ts';
import { metricRoutes } from './routes/v1/metrics.ts';
import { otlpRoutes } from './routes/v1/otlp.ts';
import type { Storage } from './storage/storage.ts';
import './types.d.ts';

export interface AppOptions {
  config: Config;
  /** Injected by tests and benchmarks; otherwise opened from the config. */
  storage?: Storage;
  bus?: Bus;
  /** PGlite in memory instead of under the data dir (tests). */
  inMemory?: boolean;
  logger?: FastifyServerOptions['logger'];
}

/**
 * Builds the observatory server. Load order:
 *   1. external plugins: security headers, WebSocket, OpenAPI (+ /docs);
 *   2. request decoding: gzip bodies (the SDK compresses batches);
 *   3. app plugins: db → bus → crypto → metrics → ingest (writer + live fan-out),
 *      then the request context (who is asking, which tenants);
 *   4. routes: health, events, metrics, live (SSE, WebSocket);
 *   5. the dashboard's built assets, when present.
 */
export async function buildApp(opts: AppOptions): Promise<FastifyInstance> {
  const app = Fastify({
    logger: opts.logger ?? false,
    bodyLimit: MAX_BODY_BYTES,
    // Ajv: coerce query strings, keep unknown-property errors loud.
    ajv: { customOptions: { removeAdditional: false, coerceTypes: 'array', allErrors: false } },
    return503OnClosing: true,
  }).withTypeProvider<TypeBoxTypeProvider>();
  app.decorate('config', opts.config);

  // 1. external plugins
  await app.register(fastifyHelmet, { contentSecurityPolicy: false, global: true });
  await app.register(fastifyWebsocket, { options: { maxPayload: 64 * 1024 } });
  await app.register(fastifySwagger, {
    openapi: {
      info: { title: 'Frostbyte Model Observatory', version: '0.1.0', description: 'Model telemetry ingest, history, live stream and audit.' },
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
      security: [{ bearer: [] }],
    },
  });
  await app.register(fastifySwaggerUi, { routePrefix: '/docs' });
  app.get('/openapi.json', { schema: { hide: true }, config: { permission: 'public' } }, async () => app.swagger());

  // 2. request decoding
  await app.register(gzipBodies);
  // JSON only: a text/plain body is a 415 that says so, not a confusing schema error.
  app.removeContentTypeParser('text/plain');
  app.setErrorHandler(errorHandler);

  // 3. app plugins
  await app.register(dbPlugin, { storage: opts.storage, inMemory: opts.inMemory });
  await app.register(busPlugin, { bus: opts.bus });
  await app.register(cryptoPlugin);
  await app.register(metricsPlugin);
  await app.register(ingestPlugin);
  await app.register(contextPlugin);

  // 4. routes
  await app.register(healthRoutes);
  await app.register(eventRoutes);
  await app.register(metricRoutes);
  await app.register(otlpRoutes);
  await app.register(sseRoutes);
  await app.register(tracerWsRoutes);

  // 5. dashboard
  if (fs.existsSync(opts.config.dashboardDir)) {
    await app.register(fastifyStatic, { root: opts.config.dashboardDir, wildcard: false });
    // Client-side routes (/trace/…, /pipeline) get the app shell.
    app.setNotFoundHandler((req, reply) =>
      req.method === 'GET' && !req.url.startsWith('/v1/') && (req.headers.accept ?? '').includes('text/html')
        ? reply.sendFile('index.html')
        : reply.code(404).send({ statusCode: 404, error: 'Not Found', message: `no route ${req.method} ${req.url.split('?')[0]}` }),
    );
  }
  return app;
}
