import { RedactionContext } from './context.ts';
import { applyAllow, detectCustom, type RedactionRules } from './custom.ts';
import { detectEntropySecrets, detectStructured, type Enabled, type Span } from './detectors.ts';
import { detectNames } from './names.ts';
import { ENTITY_TYPES, type EntityType, PLACEHOLDER_RE } from './placeholder.ts';

export interface RedactOptions {
  /** Run the person-name pass (lexicon-based, see names.ts). Default true. */
  names?: boolean;
  /** Only these types; default all. `names: false` wins over 'PERSON' here. */
  types?: EntityType[];
  /** Users' recognizers and allow-list terms, compiled once with compileRules. */
  rules?: RedactionRules;
}

/** Nesting deeper than this is replaced, not walked: model payloads are never
 * this deep, and an attacker-built one must not blow the stack. */
export const MAX_DEPTH = 64;
export const DEPTH_MARKER = '[redacted: max depth]';
export const CIRCULAR_MARKER = '[circular]';

const ALL: Enabled = new Set(ENTITY_TYPES);
const ALL_BUT_NAMES: Enabled = new Set(ENTITY_TYPES.filter((t) => t !== 'PERSON'));
/** Callers pass the same options object for every event; resolve it once.
 * (So options are read once per object: build a new one to change them.) */
const enabledCache = new WeakMap<RedactOptions, Enabled>();

function enabledFor(opts: RedactOptions | undefined): Enabled {
  if (opts === undefined) return ALL;
  let enabled = enabledCache.get(opts);
  if (enabled === undefined) {
    if (opts.types === undefined) enabled = opts.names === false ? ALL_BUT_NAMES : ALL;
    else enabled = new Set(opts.names === false ? opts.types.filter((t) => t !== 'PERSON') : opts.types);
    enabledCache.set(opts, enabled);
  }
  return enabled;
}

/** Placeholders already in the text are protected spans: nothing may overlap
 * them, and their numbers are reserved in the context. */
const PROTECTED = 1_000;

/**
 * Size limits (UTF-16 code units, i.e. `string.length`).
 *
 * Text longer than CHUNK_SIZE is scanned window by window: each window is one
 * chunk plus CHUNK_CONTEXT characters on either side, and keeps only the spans
 * that start inside its own chunk. Every detector's match (and the context it
 * looks at: cue words, look-behinds) is bounded well under CHUNK_CONTEXT (the
 * longest is a JWT, ≤ 3,980 characters), so an entity on a chunk boundary is
 * found exactly as in one pass over the whole text, and the work stays linear
 * (each character is scanned ~1.13 times). The entropy scan for unknown secrets
 * has no maximum length, and is a plain character loop, so it runs over the
 * whole text at once.
 *
 * Text longer than MAX_TEXT_LENGTH is not scanned at all: it is replaced whole
 * by OVERSIZE_MARKER (no model payload is that large, and a partial scan could
 * leave an entity behind). A failure inside a scan never escapes redactText: the
 * text is replaced by FAILED_MARKER instead, because a throw would fail the
 * caller's whole batch (the server's 500, the SDK's endless retry) and leaving
 * the text as it is could leak it.
 */
export const CHUNK_SIZE = 64 * 1024;
export const CHUNK_CONTEXT = 4 * 1024;
export const MAX_TEXT_LENGTH = 8 * 1024 * 1024;
export const FAILED_MARKER = '[redacted: redaction failed]';
export function oversizeMarker(length: number): string {
  return `[redacted: ${length} characters, over the ${MAX_TEXT_LENGTH / (1024 * 1024)} MiB redaction limit]`;
}

/** Work done, for tests that assert complexity by counting rather than timing:
 * characters handed to the detectors, and steps of overlap resolution. */
export const redactionWork = { scannedChars: 0, overlapSteps: 0 };

/**
 * All entities in `text`, without overlaps, in text order. Exposed for the eval
 * harness; not part of the package's public API. Throws on text over
 * MAX_TEXT_LENGTH (redactText checks first).
 */
export function findEntities(text: string, opts?: RedactOptions, ctx?: RedactionContext): Span[] {
  if (text.length > MAX_TEXT_LENGTH) throw new RangeError(`text of ${text.length} characters is over MAX_TEXT_LENGTH`);
  const enabled = enabledFor(opts);
  const spans: Span[] = [];
  const rules = opts?.rules;
  if (text.length <= CHUNK_SIZE) {
    scan(text, enabled, ctx, spans, true);
    if (rules !== undefined) detectCustom(rules, text, spans);
    return resolveOverlaps(rules === undefined ? spans : applyAllow(rules, text, spans));
  }
  for (let from = 0; from < text.length; from += CHUNK_SIZE) {
    const to = Math.min(from + CHUNK_SIZE, text.length);
    const windowStart = Math.max(0, from - CHUNK_CONTEXT);
    const local: Span[] = [];
    scan(text.slice(windowStart, Math.min(text.length, to + CHUNK_CONTEXT)), enabled, ctx, local, false);
    for (const s of local) {
      s.start += windowStart;
      s.end += windowStart;
      if (s.start >= from && s.start < to) spans.push(s);
    }
  }
  if (enabled.has('SECRET')) detectEntropySecrets(text, spans);
  // User patterns run once over the whole text: RE2 is linear, and a user's
  // match may be longer than the chunk context.
  if (rules !== undefined) detectCustom(rules, text, spans);
  return resolveOverlaps(rules === undefined ? spans : applyAllow(rules, text, spans));
}

/** Every detector over one string (the whole text, or one window of it). */
function scan(text: string, enabled: Enabled, ctx: RedactionContext | undefined, spans: Span[], entropy: boolean): void {
  redactionWork.scannedChars += text.length;
  if (text.includes('<')) {
    PLACEHOLDER_RE.lastIndex = 0;
    for (let m = PLACEHOLDER_RE.exec(text); m !== null; m = PLACEHOLDER_RE.exec(text)) {
      const type = m[1] as EntityType;
      ctx?.reserve(type, Number(m[2]));
      spans.push({ start: m.index, end: m.index + m[0].length, type, key: '', priority: PROTECTED });
    }
  }
  detectStructured(text, enabled, spans, entropy);
  if (enabled.has('PERSON')) detectNames(text, spans);
}

/**
 * Keeps the highest-priority span (then the longest, then the earliest) among
 * overlapping ones: spans are taken in that order and each is accepted unless it
 * overlaps one accepted before it.
 *
 * "Overlaps an accepted span" is answered in O(log n) rather than by comparing
 * with every accepted span (which made 1 MB of "Mary\n" take ~30 s): span `s`
 * overlaps accepted `a` iff a.start < s.end and a.end > s.start, so it is enough
 * to know the largest `end` among accepted spans whose start is below s.end: a
 * prefix maximum, kept in a Fenwick tree indexed by the (sorted, distinct) span
 * starts. Same spans accepted as the pairwise version, in O(n log n).
 */
function resolveOverlaps(spans: Span[]): Span[] {
  if (spans.length <= 1) return spans;
  spans.sort((a, b) => b.priority - a.priority || b.end - b.start - (a.end - a.start) || a.start - b.start);
  const starts = distinctSorted(spans);
  const m = starts.length;
  // tree[i] (1-based): the largest accepted end over a range of start slots; 0 = none.
  const tree = new Int32Array(m + 1);
  const accepted: Span[] = [];
  for (const s of spans) {
    // Slots [0, below) hold starts < s.end.
    const below = lowerBound(starts, s.end);
    let maxEnd = 0;
    for (let i = below; i > 0; i -= i & -i, redactionWork.overlapSteps++) if ((tree[i] as number) > maxEnd) maxEnd = tree[i] as number;
    if (maxEnd > s.start) continue;
    accepted.push(s);
    for (let i = lowerBound(starts, s.start) + 1; i <= m; i += i & -i, redactionWork.overlapSteps++)
      if ((tree[i] as number) < s.end) tree[i] = s.end;
  }
  return accepted.sort((a, b) => a.start - b.start);
}

function distinctSorted(spans: Span[]): Int32Array {
  const all = new Int32Array(spans.length);
  for (let i = 0; i < spans.length; i++) all[i] = (spans[i] as Span).start;
  all.sort();
  let n = 0;
  for (let i = 0; i < all.length; i++) if (i === 0 || all[i] !== all[n - 1]) all[n++] = all[i] as number;
  return all.subarray(0, n);
}

/** The number of entries of sorted `a` that are < `x`. */
function lowerBound(a: Int32Array, x: number): number {
  let lo = 0;
  let hi = a.length;
  while (lo < hi) {
    redactionWork.overlapSteps++;
    const mid = (lo + hi) >>> 1;
    if ((a[mid] as number) < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * Replaces personal data and secrets in `text` with typed placeholders.
 *
 * Idempotent: placeholders are never matched, so redacting the output again
 * (as the server does with what the SDK sent) returns it unchanged. Without a
 * context each call numbers from 1; pass one context per trace to keep numbers
 * stable across all strings of that trace.
 *
 * Never throws: text over MAX_TEXT_LENGTH becomes oversizeMarker(length), and a
 * failure inside the scan becomes FAILED_MARKER (see the size limits above).
 */
export function redactText(text: string, ctx: RedactionContext = new RedactionContext(), opts?: RedactOptions): string {
  if (text.length > MAX_TEXT_LENGTH) return oversizeMarker(text.length);
  let spans: Span[];
  try {
    spans = findEntities(text, opts, ctx);
  } catch {
    return FAILED_MARKER;
  }
  if (spans.length === 0) return text;
  let out = '';
  let pos = 0;
  for (const s of spans) {
    if (s.priority === PROTECTED) continue;
    out += text.slice(pos, s.start) + ctx.placeholderFor(s.type, s.key, s.recognizer);
    pos = s.end;
  }
  return pos === 0 ? text : out + text.slice(pos);
}

/**
 * Deep copy of `value` with every string leaf redacted (object keys are kept
 * as they are: they are schema, not data). Numbers, booleans, null, bigint,
 * Dates and binary buffers are copied by reference. Never mutates its input.
 *
 * Cycles become "[circular]" and subtrees deeper than MAX_DEPTH become
 * "[redacted: max depth]", because either would otherwise leave unredacted
 * data (or a stack overflow) behind; the result is therefore always safe to
 * JSON.stringify. Maps, Sets and Errors are walked too; other class instances
 * keep their prototype and get their own enumerable properties redacted.
 */
export function redactValue<T>(value: T, ctx: RedactionContext = new RedactionContext(), opts?: RedactOptions): T {
  return walk(value, ctx, opts, 0, new Set()) as T;
}

function walk(value: unknown, ctx: RedactionContext, opts: RedactOptions | undefined, depth: number, ancestors: Set<object>): unknown {
  if (typeof value === 'string') return redactText(value, ctx, opts);
  if (typeof value !== 'object' || value === null) return value;
  if (ancestors.has(value)) return CIRCULAR_MARKER;
  if (depth >= MAX_DEPTH) return DEPTH_MARKER;
  if (value instanceof Date || value instanceof RegExp || ArrayBuffer.isView(value) || value instanceof ArrayBuffer) {
    return value;
  }
  ancestors.add(value);
  try {
    const d = depth + 1;
    if (Array.isArray(value)) {
      const copy = new Array<unknown>(value.length);
      for (let i = 0; i < value.length; i++) copy[i] = walk(value[i], ctx, opts, d, ancestors);
      return copy;
    }
    if (value instanceof Map) {
      const copy = new Map<unknown, unknown>();
      for (const [k, v] of value) copy.set(k, walk(v, ctx, opts, d, ancestors));
      return copy;
    }
    if (value instanceof Set) {
      const copy = new Set<unknown>();
      for (const v of value) copy.add(walk(v, ctx, opts, d, ancestors));
      return copy;
    }
    const proto = Object.getPrototypeOf(value) as object | null;
    const copy: Record<string, unknown> = Object.create(proto);
    if (value instanceof Error) {
      // message and stack are own but non-enumerable, and both carry user text.
      Object.defineProperty(copy, 'message', { value: redactText(value.message, ctx, opts), writable: true, configurable: true });
      if (value.stack !== undefined) {
        Object.defineProperty(copy, 'stack', { value: redactText(value.stack, ctx, opts), writable: true, configurable: true });
      }
    }
    for (const key of Object.keys(value)) {
      const v = walk((value as Record<string, unknown>)[key], ctx, opts, d, ancestors);
      // JSON.parse can produce an own "__proto__" key; plain assignment would
      // set the copy's prototype instead of copying the property.
      if (key === '__proto__') Object.defineProperty(copy, key, { value: v, enumerable: true, writable: true, configurable: true });
      else copy[key] = v;
    }
    return copy;
  } finally {
    ancestors.delete(value);
  }
}
