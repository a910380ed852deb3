import { type Static, Type } from '@sinclair/typebox';
import { Nullable } from './schema-helpers.ts';

/** A model's timeline: registrations, configuration changes, deployments and experiments in one list. */

export const TimelineKind = Type.Union([
  Type.Literal('version_registered'),
  Type.Literal('config_change'),
  Type.Literal('deploy'),
  Type.Literal('rollback'),
  Type.Literal('traffic_split'),
  Type.Literal('experiment_started'),
  Type.Literal('experiment_stopped'),
  Type.Literal('experiment_promoted'),
]);
export const TimelineItem = Type.Object({
  id: Type.String({ description: 'Unique per item: `<kind>:<row id>`.' }),
  at: Type.String({ format: 'date-time' }),
  kind: TimelineKind,
  model_name: Type.String(),
  version: Nullable(Type.String({ description: 'The version this is about (registered / deployed to / promoted).' })),
  from_version: Nullable(Type.String()),
  tenants: Nullable(Type.Array(Type.String())),
  actor: Type.String(),
  reason: Nullable(Type.String()),
  summary: Type.String({ description: 'One line in words.' }),
  details: Type.Record(Type.String(), Type.Unknown()),
});
export type TimelineItem = Static<typeof TimelineItem>;
