import * as lib from '@frostbyte/redact';
import type { ServerRedactor } from '../kernel/ports.ts';

/** What a field becomes when redaction itself fails (an exotic value, a bug):
 * never the raw value, and never a throw, which would fail the whole batch with
 * a 500 that the SDK retries forever. The library already never throws on text
 * (long text is chunked, text over its 8 MiB limit becomes a marker); this is
 * the last line for everything else. */
export const REDACTION_FAILED = '[redacted: redaction failed]';

/** Adapts the shared redaction library to ingest: the second redaction pass, after
 * the SDK's (defence in depth). One context per trace keeps placeholders stable. */
export function createServerRedactor(): ServerRedactor {
  return {
    trace(parts) {
      const ctx = new lib.RedactionContext();
      try {
        const input = lib.redactValue(parts.input, ctx);
        const output = lib.redactValue(parts.output, ctx);
        const rationale = parts.rationale === undefined ? undefined : lib.redactText(parts.rationale, ctx);
        return { input, output, rationale, summary: { ...ctx.summary() } as Record<string, number> };
      } catch {
        // Conservative: the whole trace is replaced, so nothing unredacted is stored.
        const rationale = parts.rationale === undefined ? undefined : REDACTION_FAILED;
        return { input: REDACTION_FAILED, output: REDACTION_FAILED, rationale, summary: { ...ctx.summary() } as Record<string, number> };
      }
    },
    text: (s) => guarded(() => lib.redactText(s)) as string,
    // Names too: metadata is free text as often as not (reviewer, note, comment).
    value: <T>(v: T) => guarded(() => lib.redactValue(v)) as T,
  };
}

function guarded(redact: () => unknown): unknown {
  try {
    return redact();
  } catch {
    return REDACTION_FAILED;
  }
}
