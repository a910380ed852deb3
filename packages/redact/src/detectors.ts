import { isIPv6 } from 'node:net';
import { IBAN_LENGTHS, ibanValid, luhnValid, shannonEntropy } from './checksums.ts';
import type { EntityType } from './placeholder.ts';

/**
 * Structured detectors: one precompiled regex (or cue + value pair) per kind,
 * each behind a prefilter that costs less than the regex, and a validator that
 * runs only on matches (checksums, lengths, ranges).
 *
 * Every regex here is module-level and global; a detector resets `lastIndex`
 * before it scans, and JavaScript is single-threaded, so sharing them is safe.
 * Quantifiers are bounded or unambiguous so no input can make a scan
 * super-linear (the server runs this on untrusted text).
 */

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
}

/** Which checks run; precomputed once per options object. */
export type Enabled = ReadonlySet<EntityType>;

// Priorities: specific, checksummed or prefixed shapes beat generic ones.
const P = {
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
function retryAfter(re: RegExp, index: number): void {
  re.lastIndex = index + 1;
}

// ---------------------------------------------------------------- email

/** The domain part, matched forward from just after an '@'. */
const EMAIL_DOMAIN_RE = /[A-Za-z0-9](?:[A-Za-z0-9-]{0,62}\.){1,8}[A-Za-z]{2,24}(?![\w-])/y;

function isLocalPartChar(c: number): boolean {
  // [A-Za-z0-9._%+-]
  return (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c >= 48 && c <= 57) || c === 46 || c === 95 || c === 37 || c === 43 || c === 45;
}

/** Anchored on each '@' (found with indexOf) rather than a regex that would
 * try a local part at every alphanumeric position of the text: 5 KB of prose
 * then costs a few µs instead of ~90. */
function detectEmail(text: string, out: Span[]): void {
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

// ---------------------------------------------------------------- secrets

/** Credentials with a vendor prefix: cheap to match and never a false alarm. */
const SECRET_PREFIX_RE = new RegExp(
  [
    'sk-(?:proj-|ant-(?:api\\d\\d-)?|svcacct-)?[A-Za-z0-9_-]{20,}', // OpenAI, Anthropic
    '(?:sk|rk|pk)_(?:live|test)_[A-Za-z0-9]{16,}', // Stripe
    'gh[pousr]_[A-Za-z0-9]{30,}', // GitHub classic tokens
    'github_pat_[A-Za-z0-9_]{22,}', // GitHub fine-grained
    'xox[abposr]-[A-Za-z0-9-]{10,}', // Slack
    '(?:AKIA|ASIA)[0-9A-Z]{16}', // AWS access key id
    'AIza[0-9A-Za-z_-]{35}', // Google API key
    'glpat-[A-Za-z0-9_-]{20,}', // GitLab
    'npm_[A-Za-z0-9]{36}', // npm
    'hf_[A-Za-z0-9]{30,}', // Hugging Face
  ]
    .map((s) => `(?:${s})`)
    .join('|')
    .replace(/^/, '(?<![A-Za-z0-9_-])(?:')
    .concat(')(?![A-Za-z0-9_-])'),
  'g',
);
const JWT_RE = /(?<![\w-])eyJ[A-Za-z0-9_-]{5,}\.eyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{10,}(?![\w-])/g;
/** Candidates for the entropy check: base64/base64url/hex-ish runs. */
const TOKEN_RE = /(?<![A-Za-z0-9+/=_-])[A-Za-z0-9+/=_-]{32,}/g;
const MIN_ENTROPY_BITS = 4.2;

function detectSecrets(text: string, out: Span[], entropy: boolean): void {
  SECRET_PREFIX_RE.lastIndex = 0;
  for (let m = SECRET_PREFIX_RE.exec(text); m !== null; m = SECRET_PREFIX_RE.exec(text)) {
    out.push({ start: m.index, end: m.index + m[0].length, type: 'SECRET', key: m[0], priority: P.SECRET_KNOWN });
  }
  if (text.includes('eyJ')) {
    JWT_RE.lastIndex = 0;
    for (let m = JWT_RE.exec(text); m !== null; m = JWT_RE.exec(text)) {
      out.push({ start: m.index, end: m.index + m[0].length, type: 'SECRET', key: m[0], priority: P.SECRET_KNOWN });
    }
  }
  if (!entropy || text.length < 32) return;
  TOKEN_RE.lastIndex = 0;
  for (let m = TOKEN_RE.exec(text); m !== null; m = TOKEN_RE.exec(text)) {
    if (looksLikeSecret(m[0])) {
      out.push({ start: m.index, end: m.index + m[0].length, type: 'SECRET', key: m[0], priority: P.SECRET_ENTROPY });
    }
  }
}

/** Entropy alone flags hex ids too; trace and span ids (hex, UUIDs) must stay
 * readable in an observability product, so a secret also needs mixed case and a
 * digit, which random base64 has and hex or ids never do. */
function looksLikeSecret(token: string): boolean {
  let upper = false;
  let lower = false;
  let digit = false;
  for (let i = 0; i < token.length; i++) {
    const c = token.charCodeAt(i);
    if (c >= 65 && c <= 90) upper = true;
    else if (c >= 97 && c <= 122) lower = true;
    else if (c >= 48 && c <= 57) digit = true;
  }
  if (!(upper && lower && digit)) return false;
  return shannonEntropy(token) >= MIN_ENTROPY_BITS;
}

// ---------------------------------------------------------------- numbers

const HAS_DIGIT_RE = /\d/;

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

function countDigits(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 48 && c <= 57) n++;
  }
  return n;
}

function digitsOf(s: string): string {
  return s.replace(/\D/g, '');
}

function detectPhones(text: string, out: Span[]): void {
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

/** SSA never issues area 000, 666 or 900–999, group 00 or serial 0000. The
 * dashed shape is specific enough on its own; bare nine digits need a cue. */
const SSN_RE = /(?<![\w-])(?!000|666|9\d\d)\d{3}-(?!00)\d{2}-(?!0000)\d{4}(?![\w]|-\d)/g;

function detectSsn(text: string, out: Span[]): void {
  SSN_RE.lastIndex = 0;
  for (let m = SSN_RE.exec(text); m !== null; m = SSN_RE.exec(text)) {
    out.push({ start: m.index, end: m.index + m[0].length, type: 'SSN', key: digitsOf(m[0]), priority: P.SSN });
  }
}

/** 13–19 digits, optionally grouped by single spaces or dashes. */
const CARD_RE = /(?<![\w+.-])\d(?:[ -]?\d){12,18}(?!\w|[.-]\d)/g;

function detectCards(text: string, out: Span[]): void {
  CARD_RE.lastIndex = 0;
  for (let m = CARD_RE.exec(text); m !== null; m = CARD_RE.exec(text)) {
    const digits = digitsOf(m[0]);
    // Issuer ranges in use start with 2–6 (Mastercard 2-series, Amex/Diners/JCB,
    // Visa, Mastercard, Discover/UnionPay); with Luhn this rejects ~98% of
    // random numbers of the same shape.
    const first = digits.charCodeAt(0) - 48;
    if (first < 2 || first > 6 || !luhnValid(digits)) {
      retryAfter(CARD_RE, m.index);
      continue;
    }
    out.push({ start: m.index, end: m.index + m[0].length, type: 'CREDIT_CARD', key: digits, priority: P.CREDIT_CARD });
  }
}

/** Upper or lower case (people type IBANs both ways); mod-97 keeps the false
 * positive rate of the looser shape negligible. */
const IBAN_RE = /(?<![A-Za-z0-9])[A-Za-z]{2}\d{2}(?: ?[A-Za-z0-9]){10,32}/g;
const IBAN_PREFILTER_RE = /[A-Za-z]{2}\d\d/;

function detectIbans(text: string, out: Span[]): void {
  if (!IBAN_PREFILTER_RE.test(text)) return;
  IBAN_RE.lastIndex = 0;
  for (let m = IBAN_RE.exec(text); m !== null; m = IBAN_RE.exec(text)) {
    const raw = m[0];
    const compactAll = raw.replace(/ /g, '').toUpperCase();
    const compact = compactAll.slice(0, IBAN_LENGTHS[compactAll.slice(0, 2)] ?? compactAll.length);
    if (!ibanValid(compact)) {
      retryAfter(IBAN_RE, m.index);
      continue;
    }
    // Map the compact length back onto the original (spaced) text.
    let seen = 0;
    let end = 0;
    while (end < raw.length && seen < compact.length) {
      if (raw.charCodeAt(end) !== 32) seen++;
      end++;
    }
    out.push({ start: m.index, end: m.index + end, type: 'IBAN', key: compact, priority: P.IBAN });
    // Let the scan continue right after the IBAN, not after the greedy tail.
    IBAN_RE.lastIndex = m.index + end;
  }
}

// ---------------------------------------------------------------- network

const OCTET = '(?:25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)';
const IPV4_RE = new RegExp(`(?<![\\w.])${OCTET}(?:\\.${OCTET}){3}(?!\\w|\\.\\d)`, 'g');
/** "version 1.2.3.4" is a version, not a host. */
const VERSION_CUE_RE = /\b(?:version|ver\.?|release|build|firmware|v)\s*$/i;

/** Hex-and-colon runs (optionally ending in a dotted IPv4) validated by
 * node:net, which knows every compression rule; the regex only finds them. */
const IPV6_RE = /(?<![\w:.])[0-9A-Fa-f:]{2,39}(?:\.\d{1,3}){0,3}(?:%[A-Za-z0-9]{1,15})?(?![\w:]|\.\d)/g;
const HEX_DIGIT_RE = /[0-9A-Fa-f]/;

function detectIps(text: string, out: Span[]): void {
  if (text.includes('.')) {
    IPV4_RE.lastIndex = 0;
    for (let m = IPV4_RE.exec(text); m !== null; m = IPV4_RE.exec(text)) {
      if (VERSION_CUE_RE.test(text.slice(Math.max(0, m.index - 12), m.index))) continue;
      out.push({ start: m.index, end: m.index + m[0].length, type: 'IP_ADDRESS', key: m[0], priority: P.IP_ADDRESS });
    }
  }
  if (text.includes(':')) {
    IPV6_RE.lastIndex = 0;
    for (let m = IPV6_RE.exec(text); m !== null; m = IPV6_RE.exec(text)) {
      let candidate = m[0];
      // A trailing single colon is punctuation ("from 2001:db8::1: timeout").
      if (candidate.endsWith(':') && !candidate.endsWith('::')) candidate = candidate.slice(0, -1);
      const zone = candidate.indexOf('%');
      const addr = zone === -1 ? candidate : candidate.slice(0, zone);
      // "::" alone is valid IPv6 but in text it is C++/Rust scope syntax.
      if (!HEX_DIGIT_RE.test(addr) || !isIPv6(addr)) {
        retryAfter(IPV6_RE, m.index);
        continue;
      }
      out.push({ start: m.index, end: m.index + candidate.length, type: 'IP_ADDRESS', key: addr.toLowerCase(), priority: P.IP_ADDRESS });
    }
  }
}

const MAC_RE = /(?<![\w:.-])(?:[0-9A-Fa-f]{2}([:-])[0-9A-Fa-f]{2}(?:\1[0-9A-Fa-f]{2}){4}|[0-9A-Fa-f]{4}\.[0-9A-Fa-f]{4}\.[0-9A-Fa-f]{4})(?![\w-]|[:.-]\w)/g;

function detectMacs(text: string, out: Span[]): void {
  if (!text.includes(':') && !text.includes('-') && !text.includes('.')) return;
  MAC_RE.lastIndex = 0;
  for (let m = MAC_RE.exec(text); m !== null; m = MAC_RE.exec(text)) {
    const key = m[0].toLowerCase().replace(/[^0-9a-f]/g, '');
    out.push({ start: m.index, end: m.index + m[0].length, type: 'MAC_ADDRESS', key, priority: P.MAC_ADDRESS });
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
 */
interface CueRule {
  type: EntityType;
  priority: number;
  cue: RegExp;
  filler: RegExp;
  value: RegExp;
  validate: (value: string) => boolean;
  /** The filler must consume a separator (":" or "="), e.g. "password: x". */
  needsSeparator?: boolean;
}

const MONTH = '(?:Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?|Sep(?:t(?:ember)?)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)\\.?';
const DATE_SOURCE = [
  '\\d{4}[-/.]\\d{1,2}[-/.]\\d{1,2}',
  '\\d{1,2}[-/.]\\d{1,2}[-/.](?:\\d{4}|\\d{2})',
  `\\d{1,2}(?:st|nd|rd|th)?(?: of)? ${MONTH},? \\d{4}`,
  `${MONTH} \\d{1,2}(?:st|nd|rd|th)?,? \\d{4}`,
].join('|');

const hasDigits = (min: number) => (v: string) => countDigits(v) >= min;
/** An ID token: upper-case letters and digits, single inner spaces/dashes. */
const ID_VALUE = '[A-Z0-9](?:[A-Z0-9]|[ -](?=[A-Z0-9])){4,19}(?![A-Za-z0-9])';
const ID_FILLER = /[\s:#.=-]*(?:(?:no|nr|num|number|id|is|was|of|the)\b\.?[\s:#.=-]*){0,3}/iy;

const CUE_RULES: readonly CueRule[] = [
  {
    type: 'DATE_OF_BIRTH',
    priority: P.DATE_OF_BIRTH,
    cue: /\b(?:dob|d\.o\.b\.?|date\s+of\s+birth|birth\s*date|birthday|born)(?![a-z])/gi,
    filler: /[\s:=,(-]*(?:(?:is|was|on|of|in|:)\b[\s:,]*){0,2}/iy,
    value: new RegExp(`(?:${DATE_SOURCE})(?![\\d])`, 'iy'),
    validate: () => true,
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
    cue: /\b(?:national\s+(?:id(?:entity)?(?:\s+(?:card|number))?|insurance(?:\s+number)?)|ni\s+number|nino|id\s+card|identity\s+(?:card|number|document)|personal\s+(?:id|number)|personnummer|personalausweis|dni|nie|nif|aadhaa?r|nric|bsn|cpf|pesel|sin|codice\s+fiscale|tax\s+id|tin|steuer-?id)(?![a-z])/gi,
    filler: ID_FILLER,
    value: new RegExp(ID_VALUE, 'y'),
    validate: hasDigits(4),
  },
  {
    // Bare digit runs are phone numbers only after a phone cue.
    type: 'PHONE',
    priority: P.PHONE,
    cue: /\b(?:phone|tel|telephone|mobile|cell|fax|whatsapp|sms)(?![a-z])/gi,
    filler: /[\s:#.=-]*(?:(?:no|nr|number|is)\b\.?[\s:#.=-]*){0,2}/iy,
    value: /\+?\d{7,15}(?![\w])/y,
    validate: () => true,
  },
  {
    // A value assigned to a credential-named key is a secret whatever it looks
    // like ("password=hunter2"). '<' is excluded so placeholders never match.
    type: 'SECRET',
    priority: P.SECRET_KNOWN,
    cue: /(?<![a-z])(?:password|passwd|pwd|passphrase|secret|client[_-]?secret|api[_-]?key|apikey|access[_-]?token|auth[_-]?token|private[_-]?key)(?![a-z])/gi,
    filler: /["']?\s*[:=]\s*["']?/y,
    value: /[^\s"'`<>,;]{4,200}/y,
    validate: () => true,
    needsSeparator: true,
  },
  {
    type: 'SSN',
    priority: P.SSN,
    cue: /\b(?:ssn|social\s+security(?:\s+(?:number|no))?)(?![a-z])/gi,
    filler: ID_FILLER,
    value: /\d{3}[ -]?\d{2}[ -]?\d{4}(?![\w])/y,
    validate: () => true,
  },
];

function detectCued(rule: CueRule, text: string, out: Span[]): void {
  rule.cue.lastIndex = 0;
  for (let c = rule.cue.exec(text); c !== null; c = rule.cue.exec(text)) {
    rule.filler.lastIndex = c.index + c[0].length;
    const filler = rule.filler.exec(text);
    if (rule.needsSeparator === true && (filler === null || !/[:=]/.test(filler[0]))) continue;
    rule.value.lastIndex = rule.filler.lastIndex;
    const v = rule.value.exec(text);
    if (v === null || !rule.validate(v[0])) continue;
    const start = v.index;
    const end = start + v[0].length;
    out.push({ start, end, type: rule.type, key: v[0].replace(/[\s-]/g, '').toUpperCase(), priority: rule.priority });
    rule.cue.lastIndex = end;
  }
}

// ---------------------------------------------------------------- addresses

const STREET_SUFFIX =
  'Street|St|Avenue|Ave|Road|Rd|Boulevard|Blvd|Lane|Ln|Drive|Dr|Court|Ct|Way|Place|Pl|Terrace|Ter|Circle|Cir|Parkway|Pkwy|Highway|Hwy|Square|Sq|Crescent|Cres|Close|Alley|Row|Trail|Plaza|Gardens|Grove|Mews|Walk';
/** House number, 1–4 name words (Titlecase or an ordinal like 5th), a street
 * suffix, then optionally a compass quadrant and a unit ("Apt 4B"). */
const ADDRESS_RE = new RegExp(
  `(?<![\\w-])\\d{1,6}[A-Za-z]?(?:-\\d{1,4})? (?:(?:[A-Z][A-Za-z'’-]*|\\d{1,3}(?:st|nd|rd|th)) ){1,4}(?:${STREET_SUFFIX})\\b\\.?(?: (?:NW|NE|SW|SE)\\b)?(?:,? (?:Apt|Apartment|Suite|Ste|Unit|Flat|#)\\.? ?#?[A-Za-z0-9-]{1,6}\\b)?`,
  'g',
);

/** Romance-language order: number, street type, name ("42 Rue de Rivoli",
 * "12 Calle Mayor", "7 Via Roma"). */
const ADDRESS_ROMANCE_RE = /(?<![\w-])\d{1,5}[A-Za-z]?,? (?:Rue|Avenue|Boulevard|Bd|Place|Chemin|Via|Viale|Piazza|Calle|Avenida|Plaza|Paseo|Rua|Travessa) (?:(?:de|del|de la|des|du|da|do|dos|di|della|la|le|les) )?\p{Lu}[\p{L}'’-]+(?: \p{Lu}[\p{L}'’-]+){0,2}/gu;
/** German/Dutch/Nordic order: compound street name, then number
 * ("Hauptstraße 5", "Keizersgracht 123", "Am Markt 3"). */
const ADDRESS_GERMANIC_RE = /(?<![\p{L}\d-])\p{Lu}[\p{Ll}äöüß-]*(?:straße|strasse|str\.|weg|gasse|allee|platz|ring|damm|ufer|gracht|laan|straat|plein|gade|vej|gatan|vägen|veien)(?: \d{1,5}[a-z]?)(?![\p{L}\d])/gu;

function detectAddresses(text: string, out: Span[]): void {
  for (const re of [ADDRESS_RE, ADDRESS_ROMANCE_RE, ADDRESS_GERMANIC_RE]) {
    re.lastIndex = 0;
    for (let m = re.exec(text); m !== null; m = re.exec(text)) {
      out.push({ start: m.index, end: m.index + m[0].length, type: 'ADDRESS', key: m[0], priority: P.ADDRESS });
    }
  }
}

// ---------------------------------------------------------------- entry

/** Runs every enabled structured detector over `text`, appending to `out`. */
export function detectStructured(text: string, enabled: Enabled, out: Span[]): void {
  if (enabled.has('EMAIL')) detectEmail(text, out);
  if (enabled.has('SECRET')) detectSecrets(text, out, true);
  if (enabled.has('MAC_ADDRESS')) detectMacs(text, out);
  if (enabled.has('IP_ADDRESS')) detectIps(text, out);
  // Everything below needs a digit; most strings in model traffic have none.
  if (!HAS_DIGIT_RE.test(text)) return;
  if (enabled.has('IBAN')) detectIbans(text, out);
  if (enabled.has('CREDIT_CARD')) detectCards(text, out);
  if (enabled.has('SSN')) detectSsn(text, out);
  if (enabled.has('PHONE')) detectPhones(text, out);
  for (const rule of CUE_RULES) if (enabled.has(rule.type)) detectCued(rule, text, out);
  if (enabled.has('ADDRESS')) detectAddresses(text, out);
}

export const PERSON_PRIORITY = P.PERSON;
