import type { EntityType } from '../placeholder.ts';
import { countDigits, digitsOf, P, type Span } from './span.ts';

/** Personal identifiers: the dashed US SSN shape on its own, and the cue + value
 * rules (date of birth, passport, national id, and the cue-only bare phone
 * digits, `password=` values and bare SSNs). */

/** SSA never issues area 000, 666 or 900–999, group 00 or serial 0000. The
 * dashed shape is specific enough on its own; bare nine digits need a cue. */
const SSN_RE = /(?<![\w-])(?!000|666|9\d\d)\d{3}-(?!00)\d{2}-(?!0000)\d{4}(?![\w]|-\d)/g;

export function detectSsn(text: string, out: Span[]): void {
  SSN_RE.lastIndex = 0;
  for (let m = SSN_RE.exec(text); m !== null; m = SSN_RE.exec(text)) {
    out.push({ start: m.index, end: m.index + m[0].length, type: 'SSN', key: digitsOf(m[0]), priority: P.SSN });
  }
}

// ---------------------------------------------------------------- cue + value

/**
 * Shapes that are only personal data next to a cue word (a date is a date of
 * birth only after "DOB"/"born"; nine characters are a passport number only
 * after "passport"). The cue regex is case-insensitive; the value regex is
 * sticky and applied after skipping filler such as ": no. is", so the value
 * can keep its own case rule (IDs are upper-case; "passport is required" has
 * no ID in it).
 *
 * Whitespace inside a cue is bounded (≤ 8) and so is filler (≤ 32 separators per
 * gap): a cue, its filler and its value together stay under a few hundred
 * characters, which is what lets redact.ts scan long text in overlapping chunks
 * and still find every value whose cue sits across a chunk boundary.
 */
export interface CueRule {
  type: EntityType;
  priority: number;
  cue: RegExp;
  filler: RegExp;
  value: RegExp;
  validate: (value: string) => boolean;
  /** The filler must consume a separator (":" or "="), e.g. "password: x". */
  needsSeparator?: boolean;
  /** When the value does not follow the filler, look for it (`near`, global) this
   * many characters on, across a sentence boundary: "date of birth on file? It
   * should be 3/14/1988." The first value found wins. */
  reach?: number;
  near?: RegExp;
}

const MONTH =
  '(?:Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?|Sep(?:t(?:ember)?)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)\\.?';
const DATE_SOURCE = [
  '\\d{4}[-/.]\\d{1,2}[-/.]\\d{1,2}',
  '\\d{1,2}[-/.]\\d{1,2}[-/.](?:\\d{4}|\\d{2})',
  `\\d{1,2}(?:st|nd|rd|th)?(?: of)? ${MONTH},? \\d{4}`,
  `${MONTH} \\d{1,2}(?:st|nd|rd|th)?,? \\d{4}`,
].join('|');

const hasDigits = (min: number) => (v: string) => countDigits(v) >= min;
/** An ID token: upper-case letters and digits, single inner spaces/dashes. */
const ID_VALUE = '[A-Z0-9](?:[A-Z0-9]|[ -](?=[A-Z0-9])){4,19}(?![A-Za-z0-9])';
const ID_FILLER = /[\s:#.=-]{0,32}(?:(?:no|nr|num|number|id|is|was|of|the)\b\.?[\s:#.=-]{0,32}){0,3}/iy;

export const CUE_RULES: readonly CueRule[] = [
  {
    type: 'DATE_OF_BIRTH',
    priority: P.DATE_OF_BIRTH,
    cue: /\b(?:dob|d\.o\.b\.?|date\s{1,8}of\s{1,8}birth|birth\s{0,8}date|birthday|born)(?![a-z])/gi,
    filler: /[\s:=,(-]{0,32}(?:(?:is|was|on|of|in|:)\b[\s:,]{0,32}){0,2}/iy,
    value: new RegExp(`(?:${DATE_SOURCE})(?![\\d])`, 'iy'),
    validate: () => true,
    reach: 80,
    near: new RegExp(`(?<![\\d/.-])(?:${DATE_SOURCE})(?![\\d])`, 'gi'),
  },
  {
    type: 'PASSPORT',
    priority: P.PASSPORT,
    cue: /\bpassport(?![a-z])/gi,
    filler: ID_FILLER,
    value: /[A-Z0-9]{6,9}(?![A-Za-z0-9])/y,
    validate: hasDigits(4),
  },
  {
    type: 'NATIONAL_ID',
    priority: P.NATIONAL_ID,
    cue: /\b(?:national\s{1,8}(?:id(?:entity)?(?:\s{1,8}(?:card|number))?|insurance(?:\s{1,8}number)?)|ni\s{1,8}number|nino|id\s{1,8}card|identity\s{1,8}(?:card|number|document)|personal\s{1,8}(?:id|number)|personnummer|personalausweis|dni|nie|nif|aadhaa?r|nric|bsn|cpf|pesel|sin|codice\s{1,8}fiscale|tax\s{1,8}id|tin|steuer-?id)(?![a-z])/gi,
    filler: ID_FILLER,
    value: new RegExp(ID_VALUE, 'y'),
    validate: hasDigits(4),
  },
  {
    // Bare digit runs are phone numbers only after a phone cue.
    type: 'PHONE',
    priority: P.PHONE,
    cue: /\b(?:phone|tel|telephone|mobile|cell|fax|whatsapp|sms)(?![a-z])/gi,
    filler: /[\s:#.=-]{0,32}(?:(?:no|nr|number|is)\b\.?[\s:#.=-]{0,32}){0,2}/iy,
    value: /\+?\d{7,15}(?![\w])/y,
    validate: () => true,
  },
  {
    // A value assigned to a credential-named key is a secret whatever it looks
    // like ("password=hunter2"). '<' is excluded so placeholders never match.
    type: 'SECRET',
    priority: P.SECRET_KNOWN,
    cue: /(?<![a-z])(?:password|passwd|pwd|passphrase|secret|client[_-]?secret|api[_-]?key|apikey|access[_-]?token|auth[_-]?token|private[_-]?key)(?![a-z])/gi,
    filler: /["']?\s{0,8}[:=]\s{0,8}["']?/y,
    value: /[^\s"'`<>,;]{4,200}/y,
    validate: () => true,
    needsSeparator: true,
  },
  {
    type: 'SSN',
    priority: P.SSN,
    cue: /\b(?:ssn|social\s{1,8}security(?:\s{1,8}(?:number|no))?)(?![a-z])/gi,
    filler: ID_FILLER,
    value: /\d{3}[ -]?\d{2}[ -]?\d{4}(?![\w])/y,
    validate: () => true,
  },
];

export function detectCued(rule: CueRule, text: string, out: Span[]): void {
  rule.cue.lastIndex = 0;
  for (let c = rule.cue.exec(text); c !== null; c = rule.cue.exec(text)) {
    rule.filler.lastIndex = c.index + c[0].length;
    const filler = rule.filler.exec(text);
    if (rule.needsSeparator === true && (filler === null || !/[:=]/.test(filler[0]))) continue;
    rule.value.lastIndex = rule.filler.lastIndex;
    let v = rule.value.exec(text);
    if (v === null && rule.near !== undefined && rule.reach !== undefined) {
      // Bounded window: the work per cue is at most `reach` characters.
      const from = rule.filler.lastIndex;
      // Cut at a placeholder: a cue whose value was already redacted has its
      // value, and the next date on is not it (re-redaction stays a no-op).
      let window = text.slice(from, from + rule.reach);
      const lt = window.indexOf('<');
      if (lt !== -1) window = window.slice(0, lt);
      rule.near.lastIndex = 0;
      const w = rule.near.exec(window);
      if (w !== null) {
        w.index += from;
        v = w;
      }
    }
    if (v === null || !rule.validate(v[0])) continue;
    const start = v.index;
    const end = start + v[0].length;
    out.push({ start, end, type: rule.type, key: v[0].replace(/[\s-]/g, '').toUpperCase(), priority: rule.priority });
    rule.cue.lastIndex = end;
  }
}
