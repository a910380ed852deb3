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
 * (NaN, Infinity, bigint, functions, symbols, cycles, `undefined` inside arrays)
 * throws instead of being silently coerced: a hash over a coerced value would
 * fail verification later with no clue why.
 */
export function canonicalJson(value: unknown): string {
  return write(value, new Set<object>());
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

function write(value: unknown, ancestors: Set<object>): string {
  switch (typeof value) {
    case 'string':
      return JSON.stringify(value);
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
  const withToJson = value as { toJSON?: unknown };
  if (typeof withToJson.toJSON === 'function') {
    // Date and friends: hash what would be stored.
    return write((withToJson.toJSON as () => unknown).call(value), ancestors);
  }
  if (ancestors.has(value)) throw new CanonicalJsonError('cannot hash a cyclic structure');
  ancestors.add(value);
  let out: string;
  if (Array.isArray(value)) {
    const parts: string[] = [];
    for (const item of value) {
      if (item === undefined) throw new CanonicalJsonError('cannot hash undefined inside an array');
      parts.push(write(item, ancestors));
    }
    out = `[${parts.join(',')}]`;
  } else {
    const record = value as Record<string, unknown>;
    // Default sort compares UTF-16 code units, which is what JCS specifies.
    const keys = Object.keys(record).sort();
    const parts: string[] = [];
    for (const key of keys) {
      const v = record[key];
      // Absent and undefined are the same thing once stored as JSON.
      if (v === undefined) continue;
      parts.push(`${JSON.stringify(key)}:${write(v, ancestors)}`);
    }
    out = `{${parts.join(',')}}`;
  }
  ancestors.delete(value);
  return out;
}
