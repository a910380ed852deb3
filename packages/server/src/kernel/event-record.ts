import type { ModelEvent } from '@frostbyte/contracts';

/**
 * What the bus carries and the writer stores: a normalised, priced event and its
 * sealed (encrypted) trace. Payloads are ciphertext by the time they reach Redis, so
 * nothing readable leaves the ingest step.
 */
export interface EventRecord {
  event: Omit<ModelEvent, 'seq'>;
  trace: SealedTrace | null;
}

export interface SealedTrace {
  /** base64 of the sealed JSON `{input?, output?, decision_rationale?}` (a field left
   * out was not captured); null in rows written before migrations/0015. */
  payload?: string | null;
  /** Rows written before migrations/0015: each field sealed on its own (base64; null
   * when not captured). New records leave them null. */
  input: string | null;
  output: string | null;
  decision_rationale: string | null;
  confidence_score: number | null;
  redactions: Record<string, number>;
  key_version: number | null;
}

/** A record with its position on the bus. */
export interface BusRecord {
  seq: string;
  record: EventRecord;
}

export function withSeq(r: BusRecord): ModelEvent {
  return { ...r.record.event, seq: r.seq };
}
