import * as lib from '@frostbyte/redact';
import type { ServerRedactor } from '../kernel/ports.ts';

/** Adapts the shared redaction library to ingest: the second redaction pass, after
 * the SDK's (defence in depth). One context per trace keeps placeholders stable. */
export function createServerRedactor(): ServerRedactor {
  return {
    trace(parts) {
      const ctx = new lib.RedactionContext();
      const input = lib.redactValue(parts.input, ctx);
      const output = lib.redactValue(parts.output, ctx);
      const rationale = parts.rationale === undefined ? undefined : lib.redactText(parts.rationale, ctx);
      return { input, output, rationale, summary: { ...ctx.summary() } as Record<string, number> };
    },
    text: (s) => lib.redactText(s),
    // Names too: metadata is free text as often as not (reviewer, note, comment).
    value: (v) => lib.redactValue(v),
  };
}
