import './formats.ts';

// The package's one entry point: every consumer imports from `@frostbyte/contracts`.
// One file per resource; schema-helpers.ts is internal and not re-exported.
export * from './alerts.ts';
export * from './api.ts';
export * from './audit.ts';
export * from './deployments.ts';
export * from './event.ts';
export * from './experiments.ts';
export * from './ids.ts';
export * from './limits.ts';
export * from './models.ts';
export * from './pipeline.ts';
export * from './sse.ts';
export * from './timeline.ts';
export * from './ws.ts';
