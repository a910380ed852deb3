import type { EntityType } from '../placeholder.ts';

/** What every detector family shares: the span it reports, the priorities that
 * settle overlaps, and the small digit helpers. */

/** A found entity. `key` is the normalised value that decides placeholder
 * identity (e.g. a phone number's digits), so "+1 415 555 2671" and
 * "+1-415-555-2671" become the same placeholder. */
export interface Span {
  start: number;
  end: number;
  type: EntityType;
  key: string;
  /** Higher wins when spans overlap; ties go to the longer span. */
  priority: number;
  /** The user recognizer that found it (custom.ts); built-in detectors leave it out. */
  recognizer?: string;
}

/** Which checks run; precomputed once per options object. */
export type Enabled = ReadonlySet<EntityType>;

// Priorities: specific, checksummed or prefixed shapes beat generic ones.
export const P = {
  SECRET_KNOWN: 100,
  EMAIL: 90,
  IBAN: 85,
  CREDIT_CARD: 80,
  SSN: 75,
  DATE_OF_BIRTH: 70,
  PASSPORT: 68,
  NATIONAL_ID: 66,
  MAC_ADDRESS: 60,
  IP_ADDRESS: 55,
  PHONE: 50,
  ADDRESS: 40,
  SECRET_ENTROPY: 30,
  PERSON: 20,
} as const;

/** After a match fails validation, scan again from the next character rather
 * than after the match: a greedy match can swallow the start of a real value
 * ("2024-05-01 4111 1111 1111 1111" first matches from "2024"). Candidates are
 * bounded in length, so this stays linear in practice. */
export function retryAfter(re: RegExp, index: number): void {
  re.lastIndex = index + 1;
}

export function countDigits(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 48 && c <= 57) n++;
  }
  return n;
}

export function digitsOf(s: string): string {
  return s.replace(/\D/g, '');
}
