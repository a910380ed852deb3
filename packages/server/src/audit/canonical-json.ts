import { createHash } from 'node:crypto';

/**
 * Deterministic JSON for hashing: object keys sorted by UTF-16 code units, no
 * whitespace, strings and numbers exactly as `JSON.stringify` writes them. For the
 * values this codebase hashes (strings, finite numbers, booleans, null, arrays,
 * plain objects) the output matches RFC 8785 (JCS).
 *
 * Invariant: two values that `JSON.parse(JSON.stringify(x))` maps to the same
 * thing give the same bytes, so a row that went through a JSON/jsonb column still
 * hashes as it did when written. Anything JSON cannot round-trip faithfully
 * (NaN, Infinity, bigint, functions, symbols, cycles or nesting deeper than 200,
 * `undefined` inside arrays)
 * throws instead of being silently coerced: a hash over a coerced value would
 * fail verification later with no clue why.
 */
export function canonicalJson(value: unknown): string {
  return write(value, 0);
}

/** SHA-256 of the canonical form, hex. */
export function canonicalSha256Hex(value: unknown): string {
  return createHash('sha256').update(canonicalJson(value), 'utf8').digest('hex');
}

/** SHA-256 of the canonical form, raw 32 bytes. */
export function canonicalSha256(value: unknown): Buffer {
  return createHash('sha256').update(canonicalJson(value), 'utf8').digest();
}

export class CanonicalJsonError extends Error {
  override readonly name = 'CanonicalJsonError';
}

// Deeper than any real event or audit detail; also how a cycle shows up, without
// the cost of tracking ancestors on the ingest hot path.
const MAX_DEPTH = 200;

// Strings that JSON.stringify would write as "<same chars>" (no escapes needed).
// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters need escaping, that is the test
const NEEDS_ESCAPE = /["\\\u0000-\u001f\ud800-\udfff]/;

function str(s: string): string {
  return NEEDS_ESCAPE.test(s) ? JSON.stringify(s) : `"${s}"`;
}

function write(value: unknown, depth: number): string {
  switch (typeof value) {
    case 'string':
      return str(value);
    case 'boolean':
      return value ? 'true' : 'false';
    case 'number':
      if (!Number.isFinite(value)) throw new CanonicalJsonError(`cannot hash non-finite number ${value}`);
      // JSON.stringify writes -0 as "0", which is what a JSON round trip yields anyway.
      return JSON.stringify(value);
    case 'object':
      break;
    default:
      throw new CanonicalJsonError(`cannot hash a value of type ${typeof value}`);
  }
  if (value === null) return 'null';
  if (depth >= MAX_DEPTH) throw new CanonicalJsonError(`cannot hash a structure nested deeper than ${MAX_DEPTH} (or cyclic)`);
  const withToJson = value as { toJSON?: unknown };
  if (typeof withToJson.toJSON === 'function') {
    // Date and friends: hash what would be stored.
    return write((withToJson.toJSON as () => unknown).call(value), depth + 1);
  }
  if (Array.isArray(value)) {
    let out = '[';
    for (let i = 0; i < value.length; i++) {
      const item: unknown = value[i];
      if (item === undefined) throw new CanonicalJsonError('cannot hash undefined inside an array');
      out += (i === 0 ? '' : ',') + write(item, depth + 1);
    }
    return `${out}]`;
  }
  const record = value as Record<string, unknown>;
  // Default sort compares UTF-16 code units, which is what JCS specifies.
  const keys = Object.keys(record).sort();
  let out = '{';
  let first = true;
  for (const key of keys) {
    const v = record[key];
    // Absent and undefined are the same thing once stored as JSON.
    if (v === undefined) continue;
    out += `${first ? '' : ','}${str(key)}:${write(v, depth + 1)}`;
    first = false;
  }
  return `${out}}`;
}
