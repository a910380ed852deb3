import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import {
  CreateExperimentBody,
  Deployment,
  EndExperimentBody,
  ErrorResponse,
  Experiment,
  ExperimentResults,
  IdParam,
  ModelName,
  PromoteExperimentBody,
  StageName,
} from '@frostbyte/contracts';
import { Type } from '@sinclair/typebox';

const errors = { 400: ErrorResponse, 403: ErrorResponse, 404: ErrorResponse, 409: ErrorResponse };

/** `/v1/experiments`: A/B splits between two versions of one stage. */
export const experimentRoutes: FastifyPluginAsyncTypebox = async (app) => {

  app.get(
    '/v1/experiments',
    {
      config: { permission: 'registry:read' },
      schema: {
        tags: ['experiments'],
        summary: 'Experiments, newest first',
        querystring: Type.Object({
          state: Type.Optional(Type.Union([Type.Literal('running'), Type.Literal('stopped'), Type.Literal('promoted')])),
          stage: Type.Optional(StageName),
          model_name: Type.Optional(ModelName),
          limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500, default: 100 })),
        }),
        response: { 200: Type.Object({ experiments: Type.Array(Experiment) }), 400: ErrorResponse },
      },
    },
    async (req) => ({
      experiments: await app.experiments.list(req.ctx.scope, {
        state: req.query.state,
        stage: req.query.stage,
        model: req.query.model_name,
        limit: req.query.limit,
      }),
    }),
  );

  app.post(
    '/v1/experiments',
    {
      config: { permission: 'registry:write' },
      schema: {
        tags: ['experiments'],
        summary:
          'Start an experiment: a percentage of documents (sticky by document id) to the treatment version. One running experiment per stage',
        body: CreateExperimentBody,
        response: { 201: Type.Object({ experiment: Experiment, deployment: Deployment }), ...errors },
      },
    },
    async (req, reply) => reply.code(201).send(await app.experiments.create(req.ctx.principal, req.ctx.scope, req.body)),
  );

  app.get(
    '/v1/experiments/:id',
    {
      config: { permission: 'registry:read' },
      schema: {
        tags: ['experiments'],
        summary: 'One experiment',
        params: IdParam,
        response: { 200: Experiment, 400: ErrorResponse, 404: ErrorResponse },
      },
    },
    async (req) => app.experiments.get(req.ctx.scope, req.params.id),
  );

  app.get(
    '/v1/experiments/:id/results',
    {
      config: { permission: 'registry:read' },
      schema: {
        tags: ['experiments'],
        summary:
          'Per variant: calls, error rate, latency p50/p95, cost per document, confidence histogram; decision agreement; z-test and Welch t-test with p-values; the recommended winner',
        params: IdParam,
        response: { 200: ExperimentResults, 400: ErrorResponse, 404: ErrorResponse },
      },
    },
    async (req) => app.experiments.results(req.ctx.scope, req.params.id),
  );

  app.post(
    '/v1/experiments/:id/stop',
    {
      config: { permission: 'registry:write' },
      schema: {
        tags: ['experiments'],
        summary: 'Stop the split; every document goes back to what is deployed',
        params: IdParam,
        body: EndExperimentBody,
        response: { 200: Experiment, ...errors },
      },
    },
    async (req) => app.experiments.stop(req.ctx.principal, req.ctx.scope, req.params.id, req.body.reason),
  );

  app.post(
    '/v1/experiments/:id/promote',
    {
      config: { permission: 'registry:write' },
      schema: {
        tags: ['experiments'],
        summary: 'Deploy the winner (the named variant, else the significant one; 409 if none) and end the experiment',
        params: IdParam,
        body: PromoteExperimentBody,
        response: { 200: Type.Object({ experiment: Experiment, deployment: Type.Union([Deployment, Type.Null()]) }), ...errors },
      },
    },
    async (req) => app.experiments.promote(req.ctx.principal, req.ctx.scope, req.params.id, req.body),
  );
};
