/**
 * @frostbyte/pipeline — the Frostbyte ETL pipeline (parse → embed → policy → output),
 * each stage's model call recorded by @frostbyte/telemetry.
 *
 * Dependency direction: this package imports @frostbyte/telemetry, @frostbyte/redact
 * and @frostbyte/contracts (shapes and the experiment-assignment rule); never the server.
 */

export { type GeneratedDocument, generateCorpus, generateDocument } from './corpus/generate.ts';
export { readSampleDocuments, SAMPLE_DOCUMENTS_DIR, type SampleDocument } from './corpus/samples.ts';
export { type DemoHandle, type DemoOptions, startDemo } from './demo.ts';
export {
  awaitStoredEvents,
  countStoredEvents,
  drainTelemetry,
  type LoadOptions,
  type LoadResult,
  runLoad,
  type StoredCount,
} from './load.ts';
export {
  buildStageModel,
  type DefaultModelOptions,
  DefaultModels,
  type Logger,
  type ModelResolver,
  PIPELINE_STAGES,
  type PipelineStage,
  RegistryClient,
  type RegistryClientOptions,
  type ResolvedModel,
} from './registry-client.ts';
export {
  type DocumentResult,
  newRunId,
  type PipelineDocument,
  type ProcessOptions,
  processDocument,
  type RunOptions,
  type RunSummary,
  runPipeline,
} from './run.ts';
export * from './stages/embed.ts';
export type { ModelIdentity, ModelResult, StageModel, StageName, Usage } from './stages/model.ts';
export * from './stages/output.ts';
export * from './stages/parse.ts';
export * from './stages/policy.ts';
export {
  prepareStory,
  type RetryStats,
  STORY_TIMINGS,
  type Story,
  type StoryChapter,
  type StoryOptions,
  type StoryReport,
  type StoryTimings,
  startEmbeddingGateway,
} from './story.ts';
