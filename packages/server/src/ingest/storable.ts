import { MAX_NESTING_DEPTH, MIN_NONZERO_CONFIDENCE, type ModelEventInput } from '@frostbyte/contracts';

/**
 * Storability: what the JSON Schema cannot say but PostgreSQL, the cost columns and
 * the audit hashing would refuse, checked at ingest so that a 202 means *stored*
 * (issue 12). The schema (contracts, limits.ts) already bounds every number the
 * server reads; this walks the whole event, every key and value at any depth:
 *
 * - NUL (U+0000): PostgreSQL text and jsonb cannot hold it.
 * - an unpaired surrogate (U+D800–U+DFFF alone): not encodable in UTF-8, so jsonb
 *   refuses it and a text column or the Redis bus would silently store U+FFFD instead
 *   (and the audit leaf would no longer match the row).
 * - a non-finite number (JSON.parse turns 1e400 into Infinity): JSON cannot carry it,
 *   the audit hashing refuses it, and a trace would store it as null.
 * - nesting deeper than MAX_NESTING_DEPTH under metadata or trace.
 * - a non-zero confidence_score that PostgreSQL real rounds to zero (it refuses it).
 *
 * The same rule holds in trace input/output/rationale, although they are stored
 * sealed: a client sending NUL or a lone surrogate there is told, rather than finding
 * U+FFFD or null in its trace later.
 */

export interface StorageProblem {
  /** JSON pointer into the event, e.g. `/metadata/note` (unstorable characters in a
   * key are written as `\uXXXX`). */
  path: string;
  message: string;
}

/** One refused event of a batch: what the OTLP route turns into `partialSuccess`. */
export interface StorageRefusal {
  index: number;
  path: string;
  reason: string;
}

// biome-ignore lint/suspicious/noControlCharactersInRegex: NUL is one of the characters looked for
const SUSPECT = /[\u0000\ud800-\udfff]/;
const SUSPECT_ALL = new RegExp(SUSPECT.source, 'g');

/** What is wrong with a string, or null. The fast test first: almost every string has
 * neither NUL nor a surrogate. */
export function unstorableText(s: string): string | null {
  if (!SUSPECT.test(s)) return null;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 0) return `contains U+0000 at offset ${i}, which PostgreSQL text cannot store; remove it or escape it`;
    if (c >= 0xd800 && c <= 0xdbff) {
      const next = s.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) {
        i++;
        continue;
      }
    }
    if (c >= 0xd800 && c <= 0xdfff) {
      return `contains an unpaired surrogate U+${c.toString(16).toUpperCase()} at offset ${i}, which UTF-8 (and so PostgreSQL) cannot store; send well-formed Unicode`;
    }
  }
  return null;
}

const escapeSegment = (k: string) =>
  k.replace(/~/g, '~0').replace(/\//g, '~1').replace(SUSPECT_ALL, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);

interface Frame {
  value: unknown;
  depth: number;
  parent: Frame | null;
  key: string;
}

const pathOf = (f: Frame): string => {
  const parts: string[] = [];
  for (let x: Frame | null = f; x?.parent; x = x.parent) parts.push(escapeSegment(x.key));
  return parts.length ? `/${parts.reverse().join('/')}` : '/';
};

/** The top-level field a frame is under, for the nesting message ('/metadata'). */
const topOf = (f: Frame): string => {
  let x = f;
  while (x.parent?.parent) x = x.parent;
  return `/${escapeSegment(x.key)}`;
};

/**
 * The first thing in a (schema-valid) event that storage would refuse, or null.
 * Iterative: a recursive walk is what a deeply nested value would overflow.
 */
export function storageProblem(event: ModelEventInput): StorageProblem | null {
  const stack: Frame[] = [{ value: event, depth: 0, parent: null, key: '' }];
  while (stack.length) {
    const f = stack.pop() as Frame;
    const v = f.value;
    if (typeof v === 'string') {
      const why = unstorableText(v);
      if (why) return { path: pathOf(f), message: why };
      continue;
    }
    if (typeof v === 'number') {
      if (!Number.isFinite(v)) {
        return { path: pathOf(f), message: `is ${v}, which JSON cannot carry (a literal beyond ±1.8e308 parses to Infinity); send a finite number or a string` };
      }
      continue;
    }
    if (v === null || typeof v !== 'object') continue;
    // The event is depth 0, metadata and trace depth 1: nesting counts from them.
    if (f.depth - 1 >= MAX_NESTING_DEPTH) return { path: topOf(f), message: `nested deeper than ${MAX_NESTING_DEPTH} levels; flatten it` };
    for (const k in v as object) {
      const why = unstorableText(k);
      const child: Frame = { value: (v as Record<string, unknown>)[k], depth: f.depth + 1, parent: f, key: k };
      if (why) return { path: pathOf(child), message: `key ${why}` };
      stack.push(child);
    }
  }
  const c = event.trace?.confidence_score;
  if (c !== undefined && c !== 0 && c < MIN_NONZERO_CONFIDENCE) {
    return { path: '/trace/confidence_score', message: `${c} is below ${MIN_NONZERO_CONFIDENCE}, the smallest PostgreSQL real holds; send 0 or a larger value` };
  }
  return null;
}

/** The refused events of a converted batch (e.g. OTLP spans), by index. */
export function storageRefusals(events: readonly ModelEventInput[]): StorageRefusal[] {
  const out: StorageRefusal[] = [];
  events.forEach((e, index) => {
    const p = storageProblem(e);
    if (p) out.push({ index, path: p.path, reason: p.message });
  });
  return out;
}

/** Event 3 and `/metadata/note` → `events[3].metadata.note`, for messages. */
export function eventField(index: number | undefined, path: string): string {
  const field = path.replace(/^\//, '').replace(/\//g, '.');
  return `events[${index}]${field ? `.${field}` : ''}`;
}
