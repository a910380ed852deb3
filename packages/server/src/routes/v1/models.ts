import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import {
  ConfigDiff,
  DeployBody,
  Deployment,
  ErrorResponse,
  Model,
  ModelName,
  ModelVersion,
  RegisterModelBody,
  RegisterVersionBody,
  RollbackBody,
  RollbackPreview,
  RollbackPreviewBody,
  StageName,
  TimelineItem,
  VersionName,
} from '@frostbyte/contracts';
import { Type } from '@sinclair/typebox';

const NameParam = Type.Object({ name: ModelName });
const errors = { 400: ErrorResponse, 403: ErrorResponse, 404: ErrorResponse, 409: ErrorResponse };

/** `/v1/models`: the model registry — versions, deployments, rollback (with its impact
 * preview), configuration diffs and the provenance timeline. */
export const modelRoutes: FastifyPluginAsyncTypebox = async (app) => {

  app.get(
    '/v1/models',
    {
      config: { permission: 'registry:read' },
      schema: {
        tags: ['registry'],
        summary: 'Registered models with their stage, version count and where each is active',
        querystring: Type.Object({ stage: Type.Optional(StageName) }),
        response: { 200: Type.Object({ models: Type.Array(Model) }), 400: ErrorResponse },
      },
    },
    async (req) => ({ models: await app.registry.listModels(req.ctx.scope, req.query.stage) }),
  );

  app.post(
    '/v1/models',
    {
      config: { permission: 'registry:write' },
      schema: {
        tags: ['registry'],
        summary: 'Register a model (name, stage), optionally with its first version; the catalogue is shared by every tenant, so this needs a credential for every tenant',
        body: RegisterModelBody,
        response: { 201: Type.Object({ model: Model, version: Type.Union([ModelVersion, Type.Null()]) }), ...errors },
      },
    },
    async (req, reply) => reply.code(201).send(await app.registry.registerModel(req.ctx.principal, req.ctx.scope, req.body)),
  );

  app.get(
    '/v1/models/:name',
    {
      config: { permission: 'registry:read' },
      schema: { tags: ['registry'], summary: 'One model', params: NameParam, response: { 200: Model, 404: ErrorResponse } },
    },
    async (req) => app.registry.getModel(req.ctx.scope, req.params.name),
  );

  app.get(
    '/v1/models/:name/versions',
    {
      config: { permission: 'registry:read' },
      schema: {
        tags: ['registry'],
        summary: 'Versions of a model, oldest first, with configuration, prices and where each is active',
        params: NameParam,
        response: { 200: Type.Object({ versions: Type.Array(ModelVersion) }), 404: ErrorResponse },
      },
    },
    async (req) => ({ versions: await app.registry.listVersions(req.ctx.scope, req.params.name) }),
  );

  app.post(
    '/v1/models/:name/versions',
    {
      config: { permission: 'registry:write' },
      schema: {
        tags: ['registry'],
        summary: 'Register a new (immutable) version: configuration, prices, why; needs a credential for every tenant (the catalogue is shared)',
        params: NameParam,
        body: RegisterVersionBody,
        response: { 201: ModelVersion, ...errors },
      },
    },
    async (req, reply) => reply.code(201).send(await app.registry.registerVersion(req.ctx.principal, req.ctx.scope, req.params.name, req.body)),
  );

  app.get(
    '/v1/models/:name/versions/:a/diff/:b',
    {
      config: { permission: 'registry:read' },
      schema: {
        tags: ['registry'],
        summary: "Configuration (and price) diff from version a to version b, with both versions' figures side by side",
        params: Type.Object({ name: ModelName, a: VersionName, b: VersionName }),
        querystring: Type.Object({
          window: Type.Optional(Type.Integer({ minimum: 60, maximum: 30 * 86400, default: 86400, description: 'Seconds of metrics.' })),
        }),
        response: { 200: ConfigDiff, 400: ErrorResponse, 404: ErrorResponse },
      },
    },
    async (req) => app.registry.diff(req.ctx.scope, req.params.name, req.params.a, req.params.b, req.query.window ?? 86400),
  );

  app.get(
    '/v1/models/:name/deployments',
    {
      config: { permission: 'registry:read' },
      schema: {
        tags: ['registry'],
        summary: 'Deployment history (deploys, rollbacks, traffic splits), newest first',
        params: NameParam,
        response: { 200: Type.Object({ deployments: Type.Array(Deployment) }), 404: ErrorResponse },
      },
    },
    async (req) => ({ deployments: await app.registry.deployments(req.ctx.scope, req.params.name) }),
  );

  app.post(
    '/v1/models/:name/deployments',
    {
      config: { permission: 'registry:write' },
      schema: {
        tags: ['registry'],
        summary:
          'Deploy a version: make it active for every tenant or some. 409 when it conflicts (other stage, running experiment, a concurrent deploy changed the version you expected)',
        params: NameParam,
        body: DeployBody,
        response: { 201: Deployment, ...errors },
      },
    },
    async (req, reply) => reply.code(201).send(await app.registry.deploy(req.ctx.principal, req.ctx.scope, req.params.name, req.body)),
  );

  app.get(
    '/v1/models/:name/timeline',
    {
      config: { permission: 'registry:read' },
      schema: {
        tags: ['registry'],
        summary: 'Provenance timeline: versions, configuration changes, deployments, rollbacks and experiments, oldest first',
        params: NameParam,
        response: { 200: Type.Object({ model_name: Type.String(), items: Type.Array(TimelineItem) }), 404: ErrorResponse },
      },
    },
    async (req) => ({ model_name: req.params.name, items: await app.registry.timeline(req.ctx.scope, req.params.name) }),
  );

  app.post(
    '/v1/models/:name/rollback/preview',
    {
      config: { permission: 'registry:read' },
      schema: {
        tags: ['registry'],
        summary:
          "Impact of a rollback before confirming it: where the current version runs, its figures against the target's own history, in-flight invocations, expected cost change",
        params: NameParam,
        body: RollbackPreviewBody,
        response: { 200: RollbackPreview, ...errors },
      },
    },
    async (req) => app.registry.previewRollback(req.ctx.scope, req.params.name, req.body ?? {}),
  );

  app.post(
    '/v1/models/:name/rollback',
    {
      config: { permission: 'registry:write' },
      schema: {
        tags: ['registry'],
        summary:
          "Roll back to an earlier version (recorded as kind `rollback`); stops a running experiment on the stage. Send the preview's expected_current_version",
        params: NameParam,
        body: RollbackBody,
        response: { 201: Deployment, ...errors },
      },
    },
    async (req, reply) => reply.code(201).send(await app.registry.rollback(req.ctx.principal, req.ctx.scope, req.params.name, req.body)),
  );
};
