import './formats.ts';
export * from './api.ts';
export * from './event.ts';
export * from './ids.ts';
export * from './sse.ts';
export * from './ws.ts';
export * from './registry.ts';
