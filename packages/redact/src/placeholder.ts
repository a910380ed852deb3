/** The kinds of personal or secret data this package replaces. The name is the
 * placeholder's prefix, so it must stay upper-case ASCII: the name detector only
 * looks at words with lower-case letters after the first (it title-cases lower-case
 * words, never upper-case ones) and can therefore never re-detect a placeholder. */
export type EntityType =
  | 'EMAIL'
  | 'PHONE'
  | 'SSN'
  | 'CREDIT_CARD'
  | 'IBAN'
  | 'IP_ADDRESS'
  | 'MAC_ADDRESS'
  | 'DATE_OF_BIRTH'
  | 'PASSPORT'
  | 'NATIONAL_ID'
  | 'ADDRESS'
  | 'PERSON'
  | 'SECRET'
  /** What a user's own recognizer (custom.ts) finds, unless it names a type above. */
  | 'CUSTOM';

export const ENTITY_TYPES: readonly EntityType[] = [
  'EMAIL',
  'PHONE',
  'SSN',
  'CREDIT_CARD',
  'IBAN',
  'IP_ADDRESS',
  'MAC_ADDRESS',
  'DATE_OF_BIRTH',
  'PASSPORT',
  'NATIONAL_ID',
  'ADDRESS',
  'PERSON',
  'SECRET',
  'CUSTOM',
];

/** Matches one placeholder such as `<EMAIL_1>` or `<CREDIT_CARD_12>`, anywhere in a
 * string (global, so reset `lastIndex` or use `matchAll`). Group 1 is the type and
 * group 2 the number. The dashboard uses it to mark placeholders; redaction uses it
 * to leave earlier placeholders alone, which is what makes re-redaction on ingest a
 * no-op. This module imports nothing so a browser bundle can take it alone via
 * `@frostbyte/redact/placeholder`. */
export const PLACEHOLDER_RE =
  /<(EMAIL|PHONE|SSN|CREDIT_CARD|IBAN|IP_ADDRESS|MAC_ADDRESS|DATE_OF_BIRTH|PASSPORT|NATIONAL_ID|ADDRESS|PERSON|SECRET|CUSTOM)_([1-9]\d{0,8})>/g;

const WHOLE_PLACEHOLDER_RE = new RegExp(`^${PLACEHOLDER_RE.source}$`);

/** True when `s` is exactly one placeholder (no surrounding text). */
export function isPlaceholder(s: string): boolean {
  return WHOLE_PLACEHOLDER_RE.test(s);
}

export function formatPlaceholder(type: EntityType, n: number): string {
  return `<${type}_${n}>`;
}
