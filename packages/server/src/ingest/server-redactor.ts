import * as lib from '@frostbyte/redact';
import type { ServerRedactor } from '../kernel/ports.ts';

/** What a field becomes when redaction itself fails (an exotic value, a bug):
 * never the raw value, and never a throw, which would fail the whole batch with
 * a 500 that the SDK retries forever. The library already never throws on text
 * (long text is chunked, text over its 8 MiB limit becomes a marker); this is
 * the last line for everything else. */
export const REDACTION_FAILED = '[redacted: redaction failed]';

/** Adapts the shared redaction library to ingest: the second redaction pass, after
 * the SDK's (defence in depth). One context per trace keeps placeholders stable.
 * `rulesFor` gives a tenant's own recognizers and allow-list terms
 * (redaction/recognizer-service.ts); the summary counts each user recognizer as
 * `recognizer:<name>` beside the counts by type, for the decision tracer. */
export function createServerRedactor(rulesFor: (tenant: string) => lib.RedactionRules = () => lib.NO_RULES): ServerRedactor {
  // One options object per rule set: the library resolves options once per object.
  const options = new WeakMap<lib.RedactionRules, lib.RedactOptions>();
  const opts = (tenant: string | undefined): lib.RedactOptions | undefined => {
    if (tenant === undefined) return undefined;
    const rules = rulesFor(tenant);
    if (rules === lib.NO_RULES) return undefined;
    let o = options.get(rules);
    if (o === undefined) {
      o = { rules };
      options.set(rules, o);
    }
    return o;
  };
  return {
    trace(parts, tenant) {
      const ctx = new lib.RedactionContext();
      const o = opts(tenant);
      try {
        const input = lib.redactValue(parts.input, ctx, o);
        const output = lib.redactValue(parts.output, ctx, o);
        const rationale = parts.rationale === undefined ? undefined : lib.redactText(parts.rationale, ctx, o);
        const byRecognizer = Object.entries(ctx.recognizerSummary()).map(([name, n]) => [`recognizer:${name}`, n]);
        return { input, output, rationale, summary: { ...ctx.summary(), ...Object.fromEntries(byRecognizer) } as Record<string, number> };
      } catch {
        // Conservative: the whole trace is replaced, so nothing unredacted is stored.
        const rationale = parts.rationale === undefined ? undefined : REDACTION_FAILED;
        return { input: REDACTION_FAILED, output: REDACTION_FAILED, rationale, summary: { ...ctx.summary() } as Record<string, number> };
      }
    },
    text: (s, tenant) => guarded(() => lib.redactText(s, undefined, opts(tenant))) as string,
    // Names too: metadata is free text as often as not (reviewer, note, comment).
    value: <T>(v: T, tenant?: string) => guarded(() => lib.redactValue(v, undefined, opts(tenant))) as T,
  };
}

function guarded(redact: () => unknown): unknown {
  try {
    return redact();
  } catch {
    return REDACTION_FAILED;
  }
}
