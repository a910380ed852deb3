import { parsePhoneNumberFromString } from 'libphonenumber-js';
import { countDigits, digitsOf, P, retryAfter, type Span } from './span.ts';

/** Contact details: email addresses, phone numbers (international, North
 * American, trunk-prefix national) and postal addresses. Bare phone digits
 * after a cue word are a cue rule (`ids.ts`). */

/** The domain part, matched forward from just after an '@'. */
const EMAIL_DOMAIN_RE = /[A-Za-z0-9](?:[A-Za-z0-9-]{0,62}\.){1,8}[A-Za-z]{2,24}(?![\w-])/y;

function isLocalPartChar(c: number): boolean {
  // [A-Za-z0-9._%+-]
  return (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c >= 48 && c <= 57) || c === 46 || c === 95 || c === 37 || c === 43 || c === 45;
}

/** Anchored on each '@' (found with indexOf) rather than a regex that would
 * try a local part at every alphanumeric position of the text: 5 KB of prose
 * then costs a few µs instead of ~90. */
export function detectEmail(text: string, out: Span[]): void {
  for (let at = text.indexOf('@'); at !== -1; at = text.indexOf('@', at + 1)) {
    let start = at;
    while (start > 0 && at - start < 64 && isLocalPartChar(text.charCodeAt(start - 1))) start--;
    // The local part may not start with punctuation.
    while (start < at && !isAlnum(text.charCodeAt(start))) start++;
    if (start === at) continue;
    EMAIL_DOMAIN_RE.lastIndex = at + 1;
    const d = EMAIL_DOMAIN_RE.exec(text);
    if (d === null) continue;
    const end = at + 1 + d[0].length;
    out.push({ start, end, type: 'EMAIL', key: text.slice(start, end).toLowerCase(), priority: P.EMAIL });
    at = end - 1;
  }
}

function isAlnum(c: number): boolean {
  return (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c >= 48 && c <= 57);
}

// ---------------------------------------------------------------- phones

/** International: "+" then 8–15 digits, each optionally preceded by one
 * space, dot or dash, with one bracketed group allowed ("+44 (0)20…"). Every
 * repetition consumes a digit, so the pattern cannot backtrack badly; digits
 * beyond 15 (a neighbouring number) are trimmed group by group afterwards. */
const PHONE_INTL_RE = /(?<![\w+])\+\d(?:[ .-]?(?:\(\d{1,4}\)|\d)){6,22}(?!\d)/g;
/** National shapes never start right after "digit + space": that is the
 * middle of a longer grouped number (a card failing Luhn, an account number). */
/** North American national: (415) 555-2671, 415-555-2671, 1-800-555-0199. */
const PHONE_NANP_RE = /(?:(?<![\w+(.-]|\d[ -])(?:1[ .-])?\d{3}[ .-]|(?<![\w+.-])(?:1[ .-])?\(\d{3}\) ?)\d{3}[ .-]\d{4}(?![\w]|[.-]\d)/g;
/** Trunk-prefix national (UK, DE, FR, NL…): 020 7946 0958, 07700 900123, 0044 20… */
const PHONE_TRUNK_RE = /(?<![\w+.-]|\d[ -])0\d{1,4}(?:[ -]\d{2,8}){1,5}(?![\w]|[.-]\d)/g;

export function detectPhones(text: string, out: Span[]): void {
  if (text.includes('+')) {
    PHONE_INTL_RE.lastIndex = 0;
    for (let m = PHONE_INTL_RE.exec(text); m !== null; m = PHONE_INTL_RE.exec(text)) {
      let s = m[0];
      // Trim trailing groups until the digit count fits E.164 (≤ 15).
      while (countDigits(s) > 15) {
        const cut = Math.max(s.lastIndexOf(' '), s.lastIndexOf('-'), s.lastIndexOf('.'));
        if (cut <= 1) break;
        s = s.slice(0, cut).replace(/[ ().-]+$/, '');
      }
      const n = countDigits(s);
      if (n < 8 || n > 15) {
        retryAfter(PHONE_INTL_RE, m.index);
        continue;
      }
      out.push({ start: m.index, end: m.index + s.length, type: 'PHONE', key: digitsOf(s), priority: P.PHONE });
    }
  }
  PHONE_NANP_RE.lastIndex = 0;
  for (let m = PHONE_NANP_RE.exec(text); m !== null; m = PHONE_NANP_RE.exec(text)) {
    out.push({ start: m.index, end: m.index + m[0].length, type: 'PHONE', key: digitsOf(m[0]), priority: P.PHONE });
  }
  detectNationalPhones(text, out);
  PHONE_TRUNK_RE.lastIndex = 0;
  for (let m = PHONE_TRUNK_RE.exec(text); m !== null; m = PHONE_TRUNK_RE.exec(text)) {
    const n = countDigits(m[0]);
    const max = m[0].startsWith('00') ? 15 : 12;
    if (n < 9 || n > max) {
      retryAfter(PHONE_TRUNK_RE, m.index);
      continue;
    }
    out.push({ start: m.index, end: m.index + m[0].length, type: 'PHONE', key: digitsOf(m[0]), priority: P.PHONE });
  }
}

/** National numbers without "+" in any grouping ("603 412 887", "22 41 58 90",
 * "(02) 9374 4000", "555 0142 ext 31"): a bounded candidate shape, then
 * libphonenumber-js's metadata decides: a candidate valid as a national number
 * of one of REGIONS is a phone. One after a phone cue ("call", "tel", "mobile",
 * "reach"…, 48 characters before it) or with an extension is a phone by its
 * shape alone (7–13 digits, not a date or an amount). */
/** No look-behind at its start (it would run at every position of the text): the
 * character before a match is checked in code (NOT_BEFORE_NATIONAL). */
const PHONE_NATIONAL_RE = /(?:\(\d{1,5}\)[ .-]?)?\d{1,5}(?:[ .-]\d{2,5}){1,4}(?:,? ?(?:x|ext\.?|extension) ?\d{1,5})?(?![\w]|[.,/-]\d)/g;
/** "50111.82" is an amount, not a phone. */
const DECIMAL_RE = /^\d+[.,]\d+$/;
const EXTENSION_RE = /(?:x|ext\.?|extension) ?\d{1,5}$/;
/** Dates ("2024-01-15", "15.01.24") and year ranges ("1957-1960", "2002 - 2005") are not phones. */
const DATE_LIKE_RE = /^(?:\d{4}[ .-]\d{1,2}[ .-]\d{1,2}|\d{1,2}[ .-]\d{1,2}[ .-]\d{2,4}|(?:1[5-9]|20)\d\d ?- ?(?:1[5-9]|20)\d\d)$/;
const PHONE_CUE_RE =
  /\b(?:call|ring|phone|tel|telephone|mobile|cell|fax|whatsapp|sms|text|reach|contact|number|no|nr|bel|tlf|tél|móvil|handy)\b[^\n]{0,40}$/i;
export const PHONE_REGIONS = [
  'US',
  'GB',
  'DE',
  'FR',
  'ES',
  'IT',
  'NL',
  'BE',
  'CH',
  'AT',
  'IE',
  'PT',
  'PL',
  'CZ',
  'SE',
  'NO',
  'DK',
  'FI',
  'TR',
  'RU',
  'AU',
  'NZ',
  'IN',
  'NG',
  'ZA',
  'BR',
  'MX',
  'AR',
  'PE',
  'CA',
  'JP',
  'CN',
  'KR',
  'MA',
  'RO',
  'HU',
  'GR',
] as const;

/** A national number does not start after a word character, + . , / - or after
 * "digit + space/dash" (the middle of a longer grouped number). */
function notBeforeNational(text: string, at: number): boolean {
  const c = text[at - 1] as string;
  if (/[\w+.,/-]/.test(c)) return true;
  return (c === ' ' || c === '-') && at >= 2 && /\d/.test(text[at - 2] as string);
}

function validSomewhere(number: string): boolean {
  for (const region of PHONE_REGIONS) if (parsePhoneNumberFromString(number, region)?.isValid() === true) return true;
  return false;
}

function detectNationalPhones(text: string, out: Span[]): void {
  // Candidates inside a span already found (a card, an IBAN, an SSN, another
  // phone shape) are not parsed again: most of the cost is libphonenumber's.
  const known = out.map((s) => [s.start, s.end] as const).sort((x, y) => x[0] - y[0]);
  let k = 0;
  let budget = 4 + (text.length >> 12);
  const seen = new Map<string, boolean>();
  PHONE_NATIONAL_RE.lastIndex = 0;
  for (let m = PHONE_NATIONAL_RE.exec(text); m !== null; m = PHONE_NATIONAL_RE.exec(text)) {
    const candidate = m[0];
    if (m.index > 0 && notBeforeNational(text, m.index)) {
      PHONE_NATIONAL_RE.lastIndex = m.index + 1;
      continue;
    }
    while (k < known.length && (known[k] as readonly [number, number])[1] <= m.index) k++;
    const near = known[k];
    if (near !== undefined && near[0] <= m.index && near[1] >= m.index + candidate.length) continue;
    const ext = EXTENSION_RE.exec(candidate);
    const number = ext === null ? candidate : candidate.slice(0, ext.index).replace(/[ ,]+$/, '');
    const n = countDigits(number);
    if (n < 7 || n > 13 || DATE_LIKE_RE.test(number) || DECIMAL_RE.test(number)) continue;
    // With an extension or a phone cue, the shape is enough. Without, one of
    // REGIONS must find it valid: a bounded number of such checks per text (the
    // budget), each ~9 µs per region, so no text can make this the slow part;
    // past the budget a bare candidate is left alone (the server's own pass and
    // the cue rules still apply).
    if (ext === null && !PHONE_CUE_RE.test(text.slice(Math.max(0, m.index - 48), m.index))) {
      const digits = digitsOf(number);
      let valid = seen.get(digits);
      if (valid === undefined) {
        if (budget <= 0) continue;
        budget--;
        valid = validSomewhere(number);
        seen.set(digits, valid);
      }
      if (!valid) continue;
    }
    out.push({ start: m.index, end: m.index + candidate.length, type: 'PHONE', key: digitsOf(candidate), priority: P.PHONE });
  }
}

// ---------------------------------------------------------------- addresses

// Postal addresses live in address.ts; re-exported here, where the detectors
// and the limits tests import them from.
export { detectAddresses } from './address.ts';
