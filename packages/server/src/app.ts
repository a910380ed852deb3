// Fastify's request/instance augmentations (a reference, not an import: nothing runs).
/// <reference path="./types.d.ts" />
import fs from 'node:fs';
import fastifyHelmet from '@fastify/helmet';
import fastifyStatic from '@fastify/static';
import fastifySwagger from '@fastify/swagger';
import fastifySwaggerUi from '@fastify/swagger-ui';
import fastifyWebsocket from '@fastify/websocket';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { MAX_BODY_BYTES } from '@frostbyte/contracts';
import Fastify, { type FastifyInstance, type FastifyServerOptions, LogController, type RouteOptions } from 'fastify';
import type { Config } from './config.ts';
import { badRequest } from './kernel/errors.ts';
import { gzipBodies } from './plugins/gzip-bodies.ts';
import { jsonBodies } from './plugins/json-bodies.ts';
import { contextPlugin } from './plugins/context.ts';
import { errorHandler } from './plugins/errors.ts';
import { metricsPlugin } from './plugins/metrics.ts';
import { servicesPlugin } from './plugins/services.ts';
import { sseRoutes } from './live/sse.ts';
import { tracerWsRoutes } from './live/tracer-ws.ts';
import { alertRoutes } from './routes/v1/alerts.ts';
import { experimentRoutes } from './routes/v1/experiments.ts';
import { modelRoutes } from './routes/v1/models.ts';
import { pipelineRoutes } from './routes/v1/pipeline.ts';
import { healthRoutes } from './routes/health.ts';
import { adminRoutes } from './routes/v1/admin.ts';
import { auditRoutes } from './routes/v1/audit.ts';
import { documentRoutes } from './routes/v1/documents.ts';
import { authRoutes } from './routes/v1/auth.ts';
import { eventRoutes } from './routes/v1/events.ts';
import { metricRoutes } from './routes/v1/metrics.ts';
import { otlpRoutes } from './routes/v1/otlp.ts';
import { quarantineRoutes } from './routes/v1/quarantine.ts';
import { recognizerRoutes } from './routes/v1/recognizers.ts';

export interface AppOptions {
  config: Config;
  /** PGlite in memory instead of under the data dir (tests). */
  inMemory?: boolean;
  logger?: FastifyServerOptions['logger'];
}

/**
 * Builds the observatory server. Load order:
 *   1. external plugins: security headers, WebSocket, OpenAPI (+ /docs);
 *   2. request decoding: gzip bodies (the SDK compresses batches), JSON strictly UTF-8;
 *   3. app plugins: services (the composition root, compose/server.ts, builds the
 *      database and repositories, audit log, keys, bus, writer, ingest, live fan-out,
 *      registry and alerting once and starts them when the app is ready) → metrics
 *      (GET /metrics) → auth (who is asking, which tenants; refuses routes without a
 *      permission);
 *   4. routes: health, auth, events, metrics, audit, admin, live (SSE, WebSocket),
 *      models, experiments, pipeline, alerts, the writer's quarantine;
 *   5. the dashboard's built assets, when present.
 */
export async function buildApp(opts: AppOptions): Promise<FastifyInstance> {
  const app = Fastify({
    logger: opts.logger ?? false,
    bodyLimit: MAX_BODY_BYTES,
    // Ajv: coerce query strings, keep unknown-property errors loud.
    ajv: { customOptions: { removeAdditional: false, coerceTypes: 'array', allErrors: false } },
    return503OnClosing: true,
    // Embedded start-up (PGlite, migrations, the redaction lexicon) can exceed Fastify's
    // 10 s default on a loaded 2-core machine; a plugin that is really stuck still fails.
    pluginTimeout: 60_000,
    // Per-request lines at debug only: at thousands of batches a second they drown the log.
    logController: new LogController({ disableRequestLogging: opts.config.logLevel !== 'debug' && opts.config.logLevel !== 'trace' }),
  }).withTypeProvider<TypeBoxTypeProvider>();
  app.decorate('config', opts.config);

  // Routes of third-party plugins (API docs, dashboard files) cannot declare a
  // permission; the ones registered while this flag is up are public. Everything
  // else must declare one, or the auth hook refuses it.
  // Every route and the permission it declares, so a test can prove none is missing.
  let registeringPublic = false;
  const routeTable: { method: string; url: string; permission: string | undefined }[] = [];
  app.decorate('routeTable', routeTable);
  app.addHook('onRoute', (r: RouteOptions) => {
    if (registeringPublic) r.config = { ...(r.config as object), permission: 'public' };
    for (const method of [r.method].flat()) routeTable.push({ method, url: r.url, permission: (r.config as { permission?: string } | undefined)?.permission });
  });
  // Ajv coerces `limit=1e400` to Infinity and its minimum/maximum let it through; a
  // query number that is not finite is refused here, after validation, with the range.
  app.addHook('preHandler', async (req) => {
    for (const [name, value] of Object.entries((req.query ?? {}) as Record<string, unknown>)) {
      if (typeof value !== 'number' || Number.isFinite(value)) continue;
      const spec = (req.routeOptions.schema?.querystring as { properties?: Record<string, { minimum?: number; maximum?: number }> } | undefined)?.properties?.[name];
      const range = spec && spec.minimum !== undefined && spec.maximum !== undefined ? ` between ${spec.minimum} and ${spec.maximum}` : '';
      throw badRequest(`querystring/${name} must be a finite number${range}`);
    }
  });
  const publicly = async (register: () => PromiseLike<unknown>) => {
    registeringPublic = true;
    try {
      await register();
    } finally {
      registeringPublic = false;
    }
  };

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
  await publicly(() => app.register(fastifySwaggerUi, { routePrefix: '/docs' }));
  app.get('/openapi.json', { schema: { hide: true }, config: { permission: 'public' } }, async () => app.swagger());

  // 2. request decoding
  await app.register(gzipBodies);
  await app.register(jsonBodies);
  // JSON only: a text/plain body is a 415 that says so, not a confusing schema error.
  app.removeContentTypeParser('text/plain');
  app.setErrorHandler(errorHandler);

  // 3. app plugins
  await app.register(servicesPlugin, { inMemory: opts.inMemory });
  await app.register(metricsPlugin);
  await app.register(contextPlugin);

  // 4. routes
  await app.register(healthRoutes);
  await app.register(authRoutes);
  await app.register(eventRoutes);
  await app.register(metricRoutes);
  await app.register(auditRoutes);
  await app.register(documentRoutes);
  await app.register(adminRoutes);
  await app.register(otlpRoutes);
  await app.register(sseRoutes);
  await app.register(tracerWsRoutes);
  await app.register(modelRoutes);
  await app.register(experimentRoutes);
  await app.register(pipelineRoutes);
  await app.register(alertRoutes);
  await app.register(quarantineRoutes);
  await app.register(recognizerRoutes);

  // 5. dashboard
  if (fs.existsSync(opts.config.dashboardDir)) {
    await publicly(() => app.register(fastifyStatic, { root: opts.config.dashboardDir, wildcard: false }));
    // Client-side routes (/trace/…, /pipeline) get the app shell.
    app.setNotFoundHandler((req, reply) =>
      req.method === 'GET' && !req.url.startsWith('/v1/') && (req.headers.accept ?? '').includes('text/html')
        ? reply.sendFile('index.html')
        : reply.code(404).send({ statusCode: 404, error: 'Not Found', message: `no route ${req.method} ${req.url.split('?')[0]}` }),
    );
  }
  return app;
}
