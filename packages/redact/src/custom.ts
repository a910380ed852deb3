import { RE2JS } from 're2js';
import { ibanValid, luhnValid } from './checksums.ts';
import type { Span } from './detectors/span.ts';
import { ENTITY_TYPES, type EntityType } from './placeholder.ts';

/**
 * Users' own recognizers and allow-list terms (issue 14, item 3).
 *
 * A recognizer is a name, a pattern, an entity type, optional context words and
 * a checksum. Patterns come from users (a tenant admin, through the API), and
 * redaction runs on untrusted text, so a pattern must not be able to make it
 * super-linear: patterns are compiled with re2js, a port of RE2, whose matching
 * is linear in the text whatever the pattern (no backtracking; back-references
 * and look-arounds are refused at compile time with a message that says so).
 *
 * An allow-listed term is never redacted: any span whose text equals a term
 * (case-insensitive) is dropped, whichever detector found it.
 */

export type Checksum = 'none' | 'luhn' | 'iban';
export const CHECKSUMS: readonly Checksum[] = ['none', 'luhn', 'iban'];

export interface RecognizerSpec {
  /** Shown in the redaction summary ("which recognizer"). 1–64 of [A-Za-z0-9_.-]. */
  name: string;
  /** RE2 syntax (no back-references, no look-arounds), at most 500 characters. */
  pattern: string;
  /** Placeholder type; default CUSTOM (`<CUSTOM_1>`). */
  entity?: EntityType;
  /** When given, a match counts only if one of these words (case-insensitive)
   * is within `context_window` characters before it. */
  context?: string[];
  context_window?: number;
  checksum?: Checksum;
  case_insensitive?: boolean;
}

export interface RedactionRulesSpec {
  recognizers?: RecognizerSpec[];
  allow?: string[];
}

interface Compiled {
  name: string;
  entity: EntityType;
  re: RE2JS;
  context: string[];
  window: number;
  checksum: Checksum;
}

/** Compiled once per rule set (per tenant on the server, per config on the SDK). */
export interface RedactionRules {
  readonly recognizers: readonly Compiled[];
  readonly allow: ReadonlySet<string>;
}

export class RecognizerError extends Error {
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(message);
    this.name = 'RecognizerError';
  }
}

export const MAX_PATTERN_LENGTH = 500;
export const MAX_RECOGNIZERS = 100;
export const MAX_ALLOW_TERMS = 1000;
const NAME_RE = /^[A-Za-z0-9_.-]{1,64}$/;
/** Priority of a user recognizer's span: above every built-in detector but
 * protected placeholders, so "EMP-123456" is the user's, not a phone. */
export const CUSTOM_PRIORITY = 110;

/** Checks one recognizer; throws RecognizerError naming the field. */
export function validateRecognizer(spec: RecognizerSpec): void {
  compileOne(spec, 'recognizer');
}

function compileOne(spec: RecognizerSpec, at: string): Compiled {
  if (typeof spec.name !== 'string' || !NAME_RE.test(spec.name))
    throw new RecognizerError(`${at}.name`, 'name must be 1-64 characters of A-Z, a-z, 0-9, _ . -');
  if (typeof spec.pattern !== 'string' || spec.pattern.length === 0 || spec.pattern.length > MAX_PATTERN_LENGTH) {
    throw new RecognizerError(`${at}.pattern`, `pattern must be 1-${MAX_PATTERN_LENGTH} characters`);
  }
  const entity = spec.entity ?? 'CUSTOM';
  if (!ENTITY_TYPES.includes(entity)) throw new RecognizerError(`${at}.entity`, `entity must be one of ${ENTITY_TYPES.join(', ')}`);
  const checksum = spec.checksum ?? 'none';
  if (!CHECKSUMS.includes(checksum)) throw new RecognizerError(`${at}.checksum`, `checksum must be one of ${CHECKSUMS.join(', ')}`);
  const context = (spec.context ?? []).map((w) => w.toLowerCase());
  if (context.length > 20 || context.some((w) => w.length === 0 || w.length > 40))
    throw new RecognizerError(`${at}.context`, 'context: at most 20 words of 1-40 characters');
  const window = spec.context_window ?? 40;
  if (!Number.isInteger(window) || window < 1 || window > 200)
    throw new RecognizerError(`${at}.context_window`, 'context_window must be an integer 1-200');
  let re: RE2JS;
  try {
    re = RE2JS.compile(spec.pattern, spec.case_insensitive === true ? RE2JS.CASE_INSENSITIVE : 0);
  } catch (e) {
    throw new RecognizerError(
      `${at}.pattern`,
      `pattern is not valid RE2 syntax (linear-time engine: no back-references or look-arounds): ${(e as Error).message}`,
    );
  }
  if (re.matches('')) throw new RecognizerError(`${at}.pattern`, 'pattern must not match the empty string');
  return { name: spec.name, entity, re, context, window, checksum };
}

/** Compiles a rule set; throws RecognizerError on the first bad entry. */
export function compileRules(spec: RedactionRulesSpec): RedactionRules {
  const recognizers = spec.recognizers ?? [];
  const allow = spec.allow ?? [];
  if (recognizers.length > MAX_RECOGNIZERS) throw new RecognizerError('recognizers', `at most ${MAX_RECOGNIZERS} recognizers`);
  if (allow.length > MAX_ALLOW_TERMS) throw new RecognizerError('allow', `at most ${MAX_ALLOW_TERMS} allow-list terms`);
  for (const [i, t] of allow.entries()) {
    if (typeof t !== 'string' || t.trim().length === 0 || t.length > 200)
      throw new RecognizerError(`allow[${i}]`, 'an allow-list term is 1-200 characters');
  }
  return {
    recognizers: recognizers.map((r, i) => compileOne(r, `recognizers[${i}]`)),
    allow: new Set(allow.map((t) => t.trim().toLowerCase())),
  };
}

export const NO_RULES: RedactionRules = { recognizers: [], allow: new Set() };

function checksumOk(kind: Checksum, value: string): boolean {
  if (kind === 'none') return true;
  if (kind === 'luhn') {
    const digits = value.replace(/\D/g, '');
    return digits.length >= 2 && luhnValid(digits);
  }
  return ibanValid(value.replace(/\s/g, '').toUpperCase());
}

/** Appends the user recognizers' spans. RE2 matching is linear in the text;
 * the context check looks at a bounded window before each match. */
export function detectCustom(rules: RedactionRules, text: string, out: Span[]): void {
  for (const r of rules.recognizers) {
    const m = r.re.matcher(text);
    while (m.find()) {
      const start = m.start();
      const end = m.end();
      if (end === start) continue;
      const value = text.slice(start, end);
      if (!checksumOk(r.checksum, value)) continue;
      if (r.context.length > 0) {
        const before = text.slice(Math.max(0, start - r.window), start).toLowerCase();
        if (!r.context.some((w) => before.includes(w))) continue;
      }
      out.push({ start, end, type: r.entity, key: value, priority: CUSTOM_PRIORITY, recognizer: r.name });
    }
  }
}

/** Drops spans whose text is an allow-listed term. */
export function applyAllow(rules: RedactionRules, text: string, spans: Span[]): Span[] {
  if (rules.allow.size === 0) return spans;
  return spans.filter((s) => !rules.allow.has(text.slice(s.start, s.end).trim().toLowerCase()));
}
