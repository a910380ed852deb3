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
  redactValue: (value: unknown, ctx?: unknown, opts?: { rules?: unknown }) => unknown;
  RedactionContext: new () => object;
  compileRules?: (spec: { recognizers?: unknown[]; allow?: string[] }) => unknown;
}

/** Where the tenant's own redaction rules come from: the server's
 * `GET /v1/redaction/config` (recognizers and allow-list terms, issue 14). */
export interface RulesSource {
  endpoint: string;
  apiKey: string | undefined;
  /** Re-read this often (ETag, so usually a 304). Default 60 s. */
  refreshMs?: number;
  /** The first read may hold the first export this long. Default 3 s. */
  firstWaitMs?: number;
}

/**
 * Resolves the default hook: `@frostbyte/redact` when it can be imported, else a small
 * fail-safe fallback (emails, long digit runs) so a missing library never ships raw
 * contact or account numbers. The server redacts again either way.
 */
export async function loadDefaultRedaction(warn: (message: string) => void, rulesFrom?: RulesSource): Promise<RedactionHook> {
  try {
    const specifier = '@frostbyte/redact';
    const lib = (await import(/* @vite-ignore */ specifier)) as Partial<RedactLibrary>;
    if (typeof lib.redactValue === 'function' && typeof lib.RedactionContext === 'function') {
      const { redactValue, RedactionContext } = lib as RedactLibrary;
      const current: { opts?: { rules: unknown } } = {};
      if (rulesFrom !== undefined && typeof lib.compileRules === 'function') await followRules(lib.compileRules, rulesFrom, current, warn);
      return {
        name: '@frostbyte/redact',
        redact: (value, scope) => redactValue(value, scope, current.opts),
        newScope: () => new RedactionContext(),
      };
    }
  } catch {
    // fall through to the fallback
  }
  warn('@frostbyte/redact is not available; using the SDK fallback redactor (emails and long digit runs only)');
  return { name: 'fallback', redact: fallbackRedact, newScope: () => ({}) };
}

/**
 * Reads the tenant's rules once (waiting at most `firstWaitMs`, so the first
 * events already get them), then every `refreshMs` in the background. A failed
 * read keeps the rules it had (the server redacts with them again on ingest).
 */
async function followRules(
  compile: NonNullable<RedactLibrary['compileRules']>,
  src: RulesSource,
  current: { opts?: { rules: unknown } },
  warn: (message: string) => void,
): Promise<void> {
  let etag: string | undefined;
  let warned = false;
  const read = async () => {
    try {
      const headers: Record<string, string> = {};
      if (src.apiKey) headers.authorization = `Bearer ${src.apiKey}`;
      if (etag) headers['if-none-match'] = etag;
      const res = await fetch(`${src.endpoint.replace(/\/+$/, '')}/v1/redaction/config`, { headers, signal: AbortSignal.timeout(10_000) });
      if (res.status === 304) return;
      if (!res.ok) throw new Error(`HTTP ${res.status}`);
      const body = (await res.json()) as { recognizers?: unknown[]; allow?: string[] };
      current.opts = { rules: compile({ recognizers: body.recognizers ?? [], allow: body.allow ?? [] }) };
      etag = res.headers.get('etag') ?? undefined;
    } catch (e) {
      if (!warned)
        warn(
          `could not read the redaction rules from ${src.endpoint} (${(e as Error).message}); the built-in detectors apply, the server applies the rules on ingest`,
        );
      warned = true;
    }
  };
  await Promise.race([read(), new Promise((r) => setTimeout(r, src.firstWaitMs ?? 3000).unref())]);
  setInterval(() => void read(), src.refreshMs ?? 60_000).unref();
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
