/**
 * The redaction hook. Everything captured (inputs, outputs, rationale, error messages)
 * passes through it in the export step, before it is serialised, spooled or sent.
 * `scope` is one per event, so placeholders are numbered consistently across a trace
 * (`<EMAIL_1>` in the input is `<EMAIL_1>` in the output).
 */
export type Redactor = (value: unknown, scope: RedactionScope) => unknown;

/** Opaque per-event state owned by the redactor (the library's `RedactionContext`). */
export type RedactionScope = object;

export interface RedactionHook {
  redact: Redactor;
  newScope: () => RedactionScope;
  /** `@frostbyte/redact`, `fallback` (library missing) or `custom`. */
  name: string;
}

interface RedactLibrary {
  redactValue: (value: unknown, ctx?: unknown) => unknown;
  RedactionContext: new () => object;
}

/**
 * Resolves the default hook: `@frostbyte/redact` when it can be imported, else a small
 * fail-safe fallback (emails, long digit runs) so a missing library never ships raw
 * contact or account numbers. The server redacts again either way.
 */
export async function loadDefaultRedaction(warn: (message: string) => void): Promise<RedactionHook> {
  try {
    const specifier = '@frostbyte/redact';
    const lib = (await import(/* @vite-ignore */ specifier)) as Partial<RedactLibrary>;
    if (typeof lib.redactValue === 'function' && typeof lib.RedactionContext === 'function') {
      const { redactValue, RedactionContext } = lib as RedactLibrary;
      return { name: '@frostbyte/redact', redact: (value, scope) => redactValue(value, scope), newScope: () => new RedactionContext() };
    }
  } catch {
    // fall through to the fallback
  }
  warn('@frostbyte/redact is not available; using the SDK fallback redactor (emails and long digit runs only)');
  return { name: 'fallback', redact: fallbackRedact, newScope: () => ({}) };
}

export function customRedaction(redact: Redactor): RedactionHook {
  return { name: 'custom', redact, newScope: () => ({}) };
}

/** The domain part, matched forward (sticky) from just after an '@'; bounded. */
const EMAIL_DOMAIN = /[A-Za-z0-9](?:[A-Za-z0-9-]{0,62}\.){1,8}[A-Za-z]{2,24}(?![\w-])/y;
const LOCAL_PART = /[A-Za-z0-9._%+-]/;
const DIGIT_RUN = /\+?\d(?:[ -]?\d){8,}/g;

/**
 * Emails anchored on each '@' (found with indexOf), the local part read backwards at
 * most 64 characters: linear in the text. The regex it replaces,
 * /[A-Za-z0-9._%+-]+@…/, tried a local part at every letter and ran to the end of
 * each letter run looking for an '@': 100 kB of "a" took 38 s (quadratic).
 */
function maskEmails(s: string): string {
  let out = '';
  let pos = 0;
  for (let at = s.indexOf('@'); at !== -1; at = s.indexOf('@', at + 1)) {
    let start = at;
    while (start > pos && at - start < 64 && LOCAL_PART.test(s[start - 1] as string)) start--;
    if (start === at) continue;
    EMAIL_DOMAIN.lastIndex = at + 1;
    const d = EMAIL_DOMAIN.exec(s);
    if (d === null) continue;
    out += `${s.slice(pos, start)}<EMAIL>`;
    pos = at + 1 + d[0].length;
    at = pos - 1;
  }
  return pos === 0 ? s : out + s.slice(pos);
}

/** Minimal fallback: masks emails and runs of 9+ digits (cards, phones, account numbers). */
export function fallbackRedact(value: unknown, _scope?: RedactionScope, depth = 0): unknown {
  if (typeof value === 'string') return maskEmails(value).replace(DIGIT_RUN, '<NUMBER>');
  if (value === null || typeof value !== 'object' || depth > 32) return value;
  if (Array.isArray(value)) return value.map((v) => fallbackRedact(v, _scope, depth + 1));
  if (ArrayBuffer.isView(value)) return value;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) out[k] = fallbackRedact(v, _scope, depth + 1);
  return out;
}
