import { RedactionContext } from './context.ts';
import { detectStructured, type Enabled, type Span } from './detectors.ts';
import { detectNames } from './names.ts';
import { ENTITY_TYPES, type EntityType, PLACEHOLDER_RE } from './placeholder.ts';

export interface RedactOptions {
  /** Run the person-name pass (lexicon-based, see names.ts). Default true. */
  names?: boolean;
  /** Only these types; default all. `names: false` wins over 'PERSON' here. */
  types?: EntityType[];
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
 * All entities in `text`, without overlaps, in text order. Exposed for the eval
 * harness; not part of the package's public API.
 */
export function findEntities(text: string, opts?: RedactOptions, ctx?: RedactionContext): Span[] {
  const enabled = enabledFor(opts);
  const spans: Span[] = [];
  if (text.includes('<')) {
    PLACEHOLDER_RE.lastIndex = 0;
    for (let m = PLACEHOLDER_RE.exec(text); m !== null; m = PLACEHOLDER_RE.exec(text)) {
      const type = m[1] as EntityType;
      ctx?.reserve(type, Number(m[2]));
      spans.push({ start: m.index, end: m.index + m[0].length, type, key: '', priority: PROTECTED });
    }
  }
  detectStructured(text, enabled, spans);
  if (enabled.has('PERSON')) detectNames(text, spans);
  return resolveOverlaps(spans);
}

/** Keeps the highest-priority span (then the longest, then the earliest) among
 * overlapping ones. Span counts per string are small, so sort + sweep over the
 * accepted list is cheaper than an interval tree. */
function resolveOverlaps(spans: Span[]): Span[] {
  if (spans.length <= 1) return spans;
  spans.sort((a, b) => b.priority - a.priority || b.end - b.start - (a.end - a.start) || a.start - b.start);
  const accepted: Span[] = [];
  for (const s of spans) {
    let clash = false;
    for (const a of accepted) {
      if (s.start < a.end && a.start < s.end) {
        clash = true;
        break;
      }
    }
    if (!clash) accepted.push(s);
  }
  return accepted.sort((a, b) => a.start - b.start);
}

/**
 * Replaces personal data and secrets in `text` with typed placeholders.
 *
 * Idempotent: placeholders are never matched, so redacting the output again
 * (as the server does with what the SDK sent) returns it unchanged. Without a
 * context each call numbers from 1; pass one context per trace to keep numbers
 * stable across all strings of that trace.
 */
export function redactText(text: string, ctx: RedactionContext = new RedactionContext(), opts?: RedactOptions): string {
  const spans = findEntities(text, opts, ctx);
  if (spans.length === 0) return text;
  let out = '';
  let pos = 0;
  for (const s of spans) {
    if (s.priority === PROTECTED) continue;
    out += text.slice(pos, s.start) + ctx.placeholderFor(s.type, s.key);
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
