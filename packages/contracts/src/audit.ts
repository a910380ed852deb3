import { type Static, Type } from '@sinclair/typebox';
import { Nullable } from './schema-helpers.ts';

/** The compliance answers the server gives and the dashboard and CLI read: one
 * definition each, so the two sides cannot drift apart. */

/** One row of `GET /v1/audit/access`: who read what, how often, for what purpose. */
export const AccessRow = Type.Object({
  actor: Type.String(),
  tenant_id: Type.String(),
  event_id: Nullable(Type.String()),
  document_id: Nullable(Type.String()),
  purpose: Nullable(Type.String()),
  reads: Type.Integer({ minimum: 1 }),
  first_at: Type.String({ format: 'date-time' }),
  last_at: Type.String({ format: 'date-time' }),
});
export type AccessRow = Static<typeof AccessRow>;

export const AccessReport = Type.Object({
  rows: Type.Array(AccessRow),
  by_day: Type.Array(Type.Object({ day: Type.String(), actor: Type.String(), reads: Type.Integer() })),
});
export type AccessReport = Static<typeof AccessReport>;

/** `GET /v1/documents/:id?tenant_id=…`: a document's hold and erasure state. */
export const DocumentStatus = Type.Object({
  tenant_id: Type.String(),
  document_id: Type.String(),
  events: Type.Integer({ minimum: 0 }),
  held: Type.Boolean(),
  held_at: Nullable(Type.String({ format: 'date-time' })),
  hold_reason: Nullable(Type.String()),
  erased: Type.Boolean(),
  erased_at: Nullable(Type.String({ format: 'date-time' })),
});
export type DocumentStatus = Static<typeof DocumentStatus>;

/** `GET /v1/audit/verify` and `frostbyte audit verify`: every entry rehashed, each
 * link and checkpoint signature checked, the first bad entry named. With `events`
 * (the CLI's default), the stored events are rehashed against their batch roots too:
 * `first_bad.reason` 'events' names the batch entry (and the event when known). */
export const AuditVerifyReport = Type.Object({
  ok: Type.Boolean(),
  tenants: Type.Array(
    Type.Object({
      tenant_id: Type.String(),
      ok: Type.Boolean(),
      entries: Type.Optional(Type.Integer()),
      checkpoints: Type.Optional(Type.Integer()),
      unattested: Type.Optional(Type.Integer()),
      /** Stored events rehashed against their batch's Merkle root. */
      events_checked: Type.Optional(Type.Integer()),
      batches_checked: Type.Optional(Type.Integer()),
      /** Events of a stored batch that retention removed (a late event's day): their batch is not compared. */
      events_missing: Type.Optional(Type.Integer()),
      first_bad: Type.Optional(Type.Object({ seq: Type.Integer(), reason: Type.String(), detail: Type.String() })),
    }),
  ),
});
export type AuditVerifyReport = Static<typeof AuditVerifyReport>;
