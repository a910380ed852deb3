import { P, type Span } from './span.ts';

/** Postal addresses. Shaped patterns first (a street type: "221B Baker
 * Street", "42 Rue de Rivoli", "Hauptstraße 5", "Calle de Alcalá 48", military
 * mail), then the cue rules ("lives at …", "ZIP: …"), then streets found from
 * their surroundings: a unit after them, the lines of an address block, the
 * word "street" after the number, a cue before a house-number-first street
 * (see "street lines and blocks" below). */

const STREET_SUFFIX =
  'Street|St|Avenue|Ave|Road|Rd|Boulevard|Blvd|Lane|Ln|Drive|Dr|Court|Ct|Way|Place|Pl|Terrace|Ter|Circle|Cir|Parkway|Pkwy|Highway|Hwy|Square|Sq|Crescent|Cres|Close|Alley|Row|Trail|Plaza|Gardens|Grove|Mews|Walk';
/** Street words are bounded (40 characters) like every quantifier in the
 * detectors, so no match is longer than a few hundred characters (redact.ts
 * relies on that when it scans long text in chunks). */
/** House number, 1–4 name words (Titlecase or an ordinal like 5th), a street
 * suffix, then optionally a compass quadrant and a unit ("Apt 4B"). */
const ADDRESS_RE = new RegExp(
  `(?<![\\w-])\\d{1,6}[A-Za-z]?(?:-\\d{1,4})? (?:(?:[A-Z][A-Za-z'’-]{0,40}|\\d{1,3}(?:st|nd|rd|th)) ){1,4}(?:${STREET_SUFFIX})\\b\\.?(?: (?:NW|NE|SW|SE)\\b)?(?:,? (?:Apt|Apartment|Suite|Ste|Unit|Flat|#)\\.? ?#?[A-Za-z0-9-]{1,6}\\b)?`,
  'g',
);

/** Romance-language order: number, street type (capitalised or not), name
 * ("42 Rue de Rivoli", "12 Calle Mayor", "7 via Roma", "12 avenue des Champs-Élysées"). */
const ADDRESS_ROMANCE_RE =
  /(?<![\w-])\d{1,5}[A-Za-z]?,? (?:[Rr]ue|[Aa]venue|[Bb]oulevard|Bd|[Pp]lace|[Cc]hemin|[Vv]ia|[Vv]iale|[Pp]iazza|[Cc]alle|[Aa]venida|[Pp]laza|[Pp]aseo|[Rr]ua|[Tt]ravessa) (?:(?:de|del|de la|des|du|da|do|dos|di|della|la|le|les) )?\p{Lu}[\p{L}'’-]{1,40}(?: \p{Lu}[\p{L}'’-]{1,40}){0,2}/gu;
/** German types as a word of their own, found by the same anchor:
 * "Mariahilfer Straße 77/3", "Unter den Linden Allee 5". */
function germanTypeWord(text: string, at: number, end: number, out: Span[]): void {
  if (at === 0 || text[at - 1] !== ' ' || (end < text.length && LETTER_DIGIT_RE.test(text[end] as string))) return;
  const walk = walkBack(text, lineStartNear(text, at, STREET_REACH + 20), end);
  if (walk !== null && !walk.notStreet && walk.words >= 2) pushAddress(text, walk.start, end, out);
}

/** German/Dutch/Nordic/Finnish order: compound street name, then number
 * ("Hauptstraße 5", "Keizersgracht 123", "Mannerheimintie 12"): one capital, lower-case letters, a
 * street suffix, a number. Anchored on the suffix and its number (a regex
 * starting at every capital letter cost ~4 ms per MiB of prose); the name is
 * read back from there in `detectGermanic`. */
const GERMANIC_SUFFIX_RE =
  /(?:straße|strasse|str\.|weg|gasse|allee|platz|ring|damm|ufer|gracht|laan|straat|plein|gade|vej|gatan|vägen|väg|veien|vegen|vei|gata|katu|kuja|polku|tie|stræti|vegur|braut|Straße|Strasse|Str\.|Gasse|Allee|Platz|Ufer|Damm|Weg) \d{1,5}[a-z]?(?:\/\d{1,4})?/g;
const LOWER_OR_DASH_RE = /[\p{Ll}-]/u;
const UPPER_RE = /\p{Lu}/u;
const LETTER_DIGIT_DASH_RE = /[\p{L}\d-]/u;
const LETTER_DIGIT_RE = /[\p{L}\d]/u;

function detectGermanic(text: string, out: Span[]): void {
  GERMANIC_SUFFIX_RE.lastIndex = 0;
  for (let m = GERMANIC_SUFFIX_RE.exec(text); m !== null; m = GERMANIC_SUFFIX_RE.exec(text)) {
    const at = m.index;
    if (/[A-Z]/.test(text[at] as string)) {
      germanTypeWord(text, at, at + m[0].length, out);
      continue;
    }
    let start = at;
    while (start > 0 && at - start < 40 && LOWER_OR_DASH_RE.test(text[start - 1] as string)) start--;
    if (start === 0 || !UPPER_RE.test(text[start - 1] as string)) continue;
    start--;
    if (start > 0 && LETTER_DIGIT_DASH_RE.test(text[start - 1] as string)) continue;
    // "-ring" only after a name of four letters or more ("Ring 3" is not a street).
    if (text.startsWith('ring', at) && at - start < 4) continue;
    const end = at + m[0].length;
    if (end < text.length && LETTER_DIGIT_RE.test(text[end] as string)) continue;
    out.push({ start, end, type: 'ADDRESS', key: text.slice(start, end), priority: P.ADDRESS });
  }
}

/** Street type first, then the name, then the number, in any case: "Calle de
 * Alcalá 48", "rue des Lilas", "ul. Tverskaya 7", "strada lipscani", "Av.
 * Arequipa 1230", "Πλατεία Μαβίλη 170"; the house number may also come first
 * ("8 rue des Lilas"). A postcode and city may follow. */
const STREET_TYPE_FIRST =
  '(?:calle|c/|carrer|avenida|avda\\.|av\\.|rua|travessa|via|viale|corso|piazza|rue|chemin|impasse|allée|ul\\.|ulica|al\\.|aleja|strada|str\\.|bulevardul|náměstí|ulice|utca|út|útja|plac|πλατεία|οδός|λεωφόρος|улица|ул\\.|проспект)';
const POSTCODE_TAIL = '(?:,? (?:\\d{5}|\\d{4}(?: ?[A-Z]{2})?|[A-Z]{1,2}\\d[A-Z\\d]? ?\\d[A-Z]{2})(?![\\d-])(?: \\p{Lu}\\p{L}{1,30}){0,2})?';
const ADDRESS_TYPE_FIRST_RE = new RegExp(
  `${STREET_TYPE_FIRST}(?: (?:de|del|de la|des|du|da|do|dos|di|della|la|le|les))? \\p{L}[\\p{L}'’-]{1,40}(?: \\p{L}[\\p{L}'’-]{1,40}){0,2}(?:,? \\d{1,5}[a-zA-Z]?(?:/\\d{1,4})?(?:, kv\\. \\d{1,4})?)?${POSTCODE_TAIL}(?![\\p{L}\\d])`,
  'iuy',
);
const STREET_TYPE_FIRST_ANCHOR_RE = new RegExp(`${STREET_TYPE_FIRST} `, 'gi');
const HOUSE_NUMBER_BEFORE_RE = /(?<![\w-])\d{1,5}[a-z]?,? $/;
/** US military mail: "PSC 1234, Box 5678, APO AE 09204", "Unit 2050 Box 4190, APO AP 96278",
 * "USNS Comfort\nFPO AA 34055", in any case. */
const ADDRESS_MILITARY_RE =
  /(?<![\w-])(?:(?:PSC|CMR|Unit) \d{1,5},?\s{1,3}(?:Box \d{1,5},?\s{1,3})?|(?:USNS|USNV|USS|USCGC) [A-Za-z\u00C0-\u024F'’-]{2,30}(?: [A-Za-z\u00C0-\u024F'’-]{2,30})?,?\s{1,3})?(?:APO|FPO|DPO) (?:AA|AE|AP) \d{5}(?:-\d{4})?(?!\d)/gi;
/** After an address cue, the rest of the line (bounded): "lives at 87 Jakobi 69".
 * Sticky: tried only where STREET_CUE_RE (below) finds a cue, which every cue
 * here is one of (one scan of the text for both). */
const ADDRESS_CUE_RE =
  /\b(?:address(?:es)?(?: is| with)?|lives? (?:at|on)|located at|moved to|ship(?:ping)? to|deliver(?:y)? to|send (?:it )?to)\s{0,3}:?[ \t]{0,3}\n?\s{0,8}(?=\d)([^\n;]{4,80}?)(?=[.;]?\s*$|[.;] |\n| and | for |, and)/imy;
/** After a postcode cue: "ZIP: 11164", "postcode SW1A 1AA", "zip code 394 13",
 * "postal code: 7412 SL", "PLZ 8001". */
const POSTCODE_CUE_RE =
  /\b(?:zip(?: ?code)?|post(?:al)? ?code|postnr\.?|postnummer|plz|c[oó]digo postal|code postal)\s{0,3}[:#]?\s{0,3}(\d{5}(?:-\d{4})?|\d{3} \d{2}|\d{2}-\d{3}|\d{4}(?: [A-Z]{2})?|\d{6}|[A-Z]{1,2}\d[A-Z\d]? ?\d[A-Z]{2}|[A-Z]\d[A-Z] ?\d[A-Z]\d)(?![\w])/gi;

// ------------------------------------------------- street lines and blocks

/**
 * The shapes above need a street type ("Street", "Rue", "-straße"). Streets
 * without one ("Kiannonkatu 98", "12 Harbour View 4", "P.O. Box 242") are found
 * from what surrounds them instead: a unit after the street ("Apt. 4", "Suite
 * 501"), the lines of an address block after it (a city line, "Country
 * 12345"), the word "street" after its number, an address cue before it ("lives
 * on", "ship to", "corner of"), or a cue or a place around a
 * house-number-first street ("at 641 Dašická 688, Turkovice"). The street
 * itself is read back from its end, token by token, to the cue, clause or line
 * start before it (`walkBack`), or forward from a cue (`walkForward`).
 *
 * Everything here is anchored on a cheap global match (a unit word, a line
 * with a number, a cue, "st"/"street", a number pattern) and looks at most a few
 * hundred characters around it, so the cost stays linear in the text. The
 * global regexes avoid the `u` flag where they can (with `i` it costs ~10×):
 * letters are the Latin, Greek and Cyrillic ranges.
 */

/** How many anchors (a unit, a postcode line, a cue, a number pattern) one
 * call may read around: each costs a few µs of token walks and small regexes,
 * so text made of nothing but anchors ("Apt. 1\n" repeated) would cost ~0.5 s
 * per MiB without it. Generous for real text (PII-dense prose uses about an
 * eighth); past it the rest of the text's anchors are left alone (the shaped
 * patterns and cue rules still apply), like the phone validator's budget. */
let budget = 0;
function spend(): boolean {
  return budget-- > 0;
}

/** Letters, for regexes without the `u` flag. */
const LT = 'A-Za-z\\u00C0-\\u024F\\u0370-\\u03FF\\u0400-\\u04FF';

/** Words a street does not contain: the cue or clause before or after it
 * ("send it to", "lives on", "meet me at", "here they are:", "for this card").
 * A walk stops at one. */
const STOP_WORDS = new Set(
  (
    "at to in on is it its it's with of from for and or the an my our your their his her me you us " +
    'them we i he she they are was were be been am here there by near into onto toward towards please ' +
    'then than as also now this that these those which where what who when if so but not no up off ' +
    'out over under after before between about around since until during per each every all some any ' +
    'has have had will would can could should may must do does did against without within through ' +
    'across behind beyond except like unlike'
  ).split(' '),
);
/** Words that make a number a date, a time, a quantity, a version or a place
 * inside a building, not a house number ("on 12 March 2024", "at 3 pm",
 * "5 years 2", "Python 3", "gate 12"). */
const NOT_STREET_WORDS = new Set(
  (
    'jan january feb february mar march apr april june jun jul july aug august sep sept september oct ' +
    'october nov november dec december am pm utc gmt h hr hrs hour hours min mins minute minutes sec ' +
    'secs second seconds ms day days week weeks month months year years yr yrs times x percent pct km ' +
    'mi miles mile m cm mm kg g lb lbs kb mb gb tb items item pages page points pts people users ' +
    'steps step version v chapter part level line lines row rows room floor gate terminal platform ' +
    'table booth exit door seat python windows node java ios android macos ubuntu release build issue ' +
    'ticket round game season episode volume vol no nr number grade class phase stage tier top score ' +
    'bug bugs pr iso rfc copyright (c) patch commit fix fixes closes see section figure fig slide ' +
    'question lesson module degrees dollars euros usd eur gbp players settings option tab menu ' +
    'building bldg hall wing total subtotal price cost amount sum balance qty quantity order invoice ' +
    'model shipped code ref id account phone tel fax mobile customer client user'
  ).split(' '),
);

const NUM_TOKEN_RE = /^(?:\d{1,6}[A-Za-z]?|\d{1,5}[-/]\d{1,5})[.,]?$/;
const WORD_TOKEN_RE = /^(?:[\p{L}\p{M}][\p{L}\p{M}'’.∆-]{0,30}|\p{L}{1,2}\/)$/u;
/** How far (characters) a street may reach from the point it is read from. */
const STREET_REACH = 100;

interface Walk {
  start: number;
  end: number;
  nums: number;
  words: number;
  /** The first (leftmost) token is a number. */
  numberFirst: boolean;
  /** A token is a date, time, quantity or version word. */
  notStreet: boolean;
}

function isBlank(c: number): boolean {
  return c === 32 || c === 9 || c === 10 || c === 13;
}

/** One token of a street, or why not: 1 number, 2 word, 0 neither (or a stop word). */
function tokenKind(token: string): 0 | 1 | 2 {
  const bare = token.endsWith(',') ? token.slice(0, -1) : token;
  if (NUM_TOKEN_RE.test(bare)) return 1;
  if (!WORD_TOKEN_RE.test(bare) || STOP_WORDS.has(bare.toLowerCase())) return 0;
  return 2;
}

function addToken(walk: Walk, token: string, kind: 1 | 2): void {
  if (kind === 1) {
    walk.nums++;
    // House numbers have at most five digits; "bug 708330" is an id.
    if (/\d{6}/.test(token)) walk.notStreet = true;
  } else {
    const bare = token.replace(/[.,]$/, '').toLowerCase();
    if (bare.length >= 2) walk.words++;
    if (NOT_STREET_WORDS.has(bare)) walk.notStreet = true;
  }
}

/**
 * Walks back from `end` over street tokens (numbers like "12", "94.", "12b",
 * words like "Kiannonkatu", "u.", "C/") and stops at a stop word, at a token
 * ending in ':' '?' or ',' (a cue or clause before the street), at anything
 * else (a prefix like "???" or ">"), at `limit`, or after 8 tokens. A street
 * has a number and a word.
 */
function walkBack(text: string, limit: number, end: number): Walk | null {
  const floor = Math.max(limit, end - STREET_REACH);
  let pos = end;
  let walk: Walk | null = null;
  for (let n = 0; n < 8; n++) {
    while (pos > floor && text.charCodeAt(pos - 1) === 32) pos--;
    let j = pos;
    while (j > floor && !isBlank(text.charCodeAt(j - 1))) j--;
    // Empty, or cut by the reach (the rest of a longer word).
    if (j === pos || (j === floor && j > 0 && !isBlank(text.charCodeAt(j - 1)))) break;
    const token = text.slice(j, pos);
    // "Oak," or "to:" or "sent to?" end the clause before the street.
    if (n > 0 && /[,:?!;]$/.test(token)) break;
    const kind = tokenKind(token);
    if (kind === 0) break;
    // "Str." and "u." are abbreviations; "moved." ends the sentence before.
    if (kind === 2 && n > 0 && token.length > 5 && token.endsWith('.')) break;
    walk ??= { start: j, end, nums: 0, words: 0, numberFirst: false, notStreet: false };
    walk.start = j;
    walk.numberFirst = kind === 1;
    addToken(walk, token, kind);
    pos = j;
  }
  return walk !== null && walk.nums > 0 && walk.words > 0 ? walk : null;
}

/** Walks forward from `from` (just after a cue) over street tokens, up to 8,
 * to a stop word, a clause end (a token ending in , ; : ? !) or the line end.
 * Words after the last number stay only while capitalised ("Tungata 11 Rott
 * Crossroad", not "221B Baker Street end."). */
function walkForward(text: string, from: number): Walk | null {
  const ceiling = Math.min(text.length, from + STREET_REACH);
  let pos = from;
  const tokens: Array<{ start: number; text: string; kind: 1 | 2 }> = [];
  for (let n = 0; n < 8; n++) {
    while (pos < ceiling && text.charCodeAt(pos) === 32) pos++;
    let j = pos;
    while (j < ceiling && !isBlank(text.charCodeAt(j))) j++;
    if (j === pos || (j === ceiling && j < text.length && !isBlank(text.charCodeAt(j)))) break;
    let token = text.slice(pos, j);
    const last = token[token.length - 1] as string;
    const ends = /[,;:?!]/.test(last) || (last === '.' && token.length > 5);
    if (ends) token = token.slice(0, -1);
    const kind = tokenKind(token);
    if (kind === 0) break;
    tokens.push({ start: pos, text: token, kind });
    if (ends || text.charCodeAt(j) === 10) break;
    pos = j;
  }
  let lastNum = -1;
  for (let i = 0; i < tokens.length; i++) if ((tokens[i] as { kind: number }).kind === 1) lastNum = i;
  if (lastNum === -1) return null;
  // "London 5 days", "Berlin 2 years": the number counts something.
  const next = tokens[lastNum + 1];
  if (next !== undefined && NOT_STREET_WORDS.has(next.text.toLowerCase().replace(/[.,]$/, ''))) return null;
  let keep = lastNum + 1;
  while (keep < tokens.length && /^\p{Lu}/u.test((tokens[keep] as { text: string }).text)) keep++;
  const first = tokens[0] as { start: number; kind: 1 | 2 };
  const walk: Walk = { start: first.start, end: first.start, nums: 0, words: 0, numberFirst: first.kind === 1, notStreet: false };
  // Hungarian house numbers keep their ordinal dot ("Király u. 15.").
  const ordinal = tokens.some((t) => /^(?:u\.|utca|út|útja|körút|tér)$/i.test(t.text));
  for (const t of tokens.slice(0, keep)) {
    addToken(walk, t.text, t.kind);
    // A sentence's full stop is not part of the street ("… Crossroad.", "… 31.").
    const stop = t.text.endsWith('.') && (t.kind === 2 ? t.text.length > 3 : !ordinal);
    walk.end = t.start + t.text.length - (stop ? 1 : 0);
  }
  return walk.nums > 0 && walk.words > 0 ? walk : null;
}

/** Where the line holding `at` starts, looking back at most `reach`
 * characters (the reach's start if no line start is that close). */
function lineStartNear(text: string, at: number, reach: number): number {
  const floor = Math.max(0, at - reach);
  for (let i = at - 1; i >= floor; i--) if (text.charCodeAt(i) === 10) return i + 1;
  return floor;
}

/** The street that ends a line (a block's first line): the line's tail after
 * a cue, with trailing spaces and commas left out. */
function streetEndingLine(text: string, lineStart: number, lineEnd: number): Walk | null {
  let end = lineEnd;
  while (end > lineStart && (isBlank(text.charCodeAt(end - 1)) || text[end - 1] === ',' || text[end - 1] === '|')) end--;
  if (end <= lineStart) return null;
  return walkBack(text, lineStart, end);
}

/** A postcode: 5 digits (+4), "123 45", "12-345", 4 digits (+ "AB"), 6 digits,
 * UK and Canadian shapes. */
const POSTCODE =
  '(?:\\d{5}(?:-\\d{4})?|\\d{3} \\d{2}|\\d{2}-\\d{3}|\\d{4}(?: ?[A-Z]{2}(?![\\p{L}]))?|\\d{6}|[A-Z]{1,2}\\d[A-Z\\d]? ?\\d[A-Z]{2}|[A-Z]\\d[A-Z] ?\\d[A-Z]\\d)';
const POSTCODE_END = '(?![\\p{L}\\d]|[.,-]\\d)';
/** A place word: "Riisa", "nan", "(Greek)", "N", "Rheinland-Pfalz", "φλαμου∆ι". */
const PLACE_WORD = "[\\p{L}\\p{M}(][\\p{L}\\p{M}'’.()∆-]{0,30}";
/** Line decoration before a block's lines: indentation, "> ", "??? ", "| ", "- ". */
const DECORATION = '[ \\t>?|*•-]{0,8}';
/** A line of a block between the street and the postcode: a city, a region, ", nan", or blank. */
const CITY_LINE_RE = new RegExp(`${DECORATION}(?:,? ?${PLACE_WORD}(?:,? ${PLACE_WORD}){0,4})?,?[ \\t]{0,4}(?=\\r?\\n|$)`, 'uy');
/** A city line that ends the block and the sentence: " New Zealand. Please call…". */
const CITY_SENTENCE_RE = new RegExp(`${DECORATION}${PLACE_WORD}(?:,? ${PLACE_WORD}){0,4}(?=[.?!](?:\\s|$))`, 'uy');
/** A block's postcode line: "Estonia 62488", "KNIVSTA, nan 18237", " 77058",
 * "Cyprus (Greek) 13429", or postcode first: "10115 Berlin". The line may go on
 * ("Hungary 18695? I am in…"). Group 1: a place before the postcode; group 2:
 * a city after it, ending the line. */
const POSTCODE_LINE_RE = new RegExp(
  `${DECORATION}(?:(${PLACE_WORD}(?:,? ${PLACE_WORD}){0,4}),? )?${POSTCODE}${POSTCODE_END}( \\p{Lu}[\\p{L}\\p{M}'’.-]{1,30}(?: \\p{Lu}[\\p{L}\\p{M}'’.-]{1,30}){0,2}(?=[ \\t]{0,4}(?:\\r?\\n|$)))?`,
  'uy',
);
/** A unit after a street: "Apt. 4", "Suite 501", "apt 12b", "Unit 3", "Flat 2". */
const UNIT_RE = new RegExp(`\\b(apt|apartment|suite|ste|unit|flat)\\b\\.? ?#? ?\\d{1,5}[A-Za-z]?(?![${LT}\\d]|[.,]\\d)`, 'gi');
/** Place words then a postcode right after a unit on the same line: ", Grubbenvorst, Netherlands 04020". */
const INLINE_TAIL_RE = new RegExp(`(?:(?:, ?| )${PLACE_WORD}){1,6}(?:, ?| )${POSTCODE}${POSTCODE_END}`, 'uy');
/** Place words after a unit to the end of the line or sentence: ", ISHAM, United Kingdom\n". */
const INLINE_PLACES_RE = new RegExp(`(?:(?:, ?| )${PLACE_WORD}){1,5}(?=[.?!]?[ \\t]{0,4}(?:\\r?\\n|$)|[.?!] )`, 'uy');

/** A tail of place words without the sentence's full stop or a quote after it. */
function trimEnd(tail: string): string {
  return tail.replace(/[.'’]+$/, '');
}

/** Two capitals are a region's code, not a stop word ("Toronto, ON", "Boise, ID"). */
function hasStopWord(words: string[]): boolean {
  return words.some((w) => !/^[A-Z]{2}$/.test(w) && STOP_WORDS.has(w.toLowerCase().replace(/[.,]$/, '')));
}

/** After a unit ending at `from`: a place-and-postcode tail on the same line,
 * or the block's lines down to its postcode (at most 5 lines, each a city-like
 * line), or else the city lines right after it. Returns the block's end
 * (`from` when nothing follows). */
function blockEnd(text: string, from: number): number {
  for (const re of [INLINE_TAIL_RE, INLINE_PLACES_RE]) {
    re.lastIndex = from;
    const tail = re.exec(text);
    if (tail !== null && !hasStopWord(tail[0].split(/[ ,]+/))) return from + trimEnd(tail[0]).length;
  }
  // Else the unit must end its line.
  let i = from;
  while (i < text.length && (text[i] === ' ' || text[i] === ',' || text[i] === '\t' || text[i] === '\r')) i++;
  if (i >= text.length || text[i] !== '\n') return from;
  let blanks = 0;
  let lastCity = from;
  let sawBlank = false;
  for (let line = 0; line < 5 && i < text.length; line++) {
    const start = i + 1;
    POSTCODE_LINE_RE.lastIndex = start;
    const pc = POSTCODE_LINE_RE.exec(text);
    if (pc !== null) return start + pc[0].length;
    CITY_LINE_RE.lastIndex = start;
    const city = CITY_LINE_RE.exec(text);
    if (city === null) {
      // " New Zealand. Please call me…": the last city line ends the sentence.
      CITY_SENTENCE_RE.lastIndex = start;
      const last = sawBlank ? null : CITY_SENTENCE_RE.exec(text);
      return last !== null ? start + last[0].length : lastCity;
    }
    if (city[0].trim() === '') {
      sawBlank = true;
      if (++blanks > 2) break;
    } else if (!sawBlank) lastCity = start + city[0].replace(/[\s,]+$/, '').length;
    i = start + city[0].length;
    if (text[i] === '\r') i++;
  }
  // No postcode: the city lines right after the unit (before any blank line).
  return lastCity;
}

/** A value after a cue: below the shaped patterns, so where one matches, its tighter span wins. */
function pushCued(start: number, value: string, out: Span[]): void {
  out.push({ start, end: start + value.length, type: 'ADDRESS', key: value, priority: P.ADDRESS - 1 });
}

function pushAddress(text: string, start: number, end: number, out: Span[]): void {
  out.push({ start, end, type: 'ADDRESS', key: text.slice(start, end), priority: P.ADDRESS });
}

/** "20789 Allika 46\n Suite 501\n Riisa\n\n Estonia 62488", "Kuuse 53 Apt. 641,
 * Grubbenvorst, Netherlands 04020", "meet you at Tungata 11 Rott Crossroad\n
 * Apt. 322": a unit, the street before it (same line or the line above) and
 * the rest of the block after it. */
function detectUnitAddresses(text: string, out: Span[]): void {
  UNIT_RE.lastIndex = 0;
  for (let m = UNIT_RE.exec(text); m !== null; m = UNIT_RE.exec(text)) {
    if (!spend()) break;
    const at = m.index;
    const unitEnd = at + m[0].length;
    const lineStart = lineStartNear(text, at, STREET_REACH + 20);
    let walk: Walk | null = null;
    if (/^[ \t>?|*•-]*$/.test(text.slice(lineStart, at)) && (lineStart === 0 || text[lineStart - 1] === '\n')) {
      // The unit has its own line: the street ends the line above.
      if (lineStart >= 2) {
        const prevEnd = lineStart - 1;
        walk = streetEndingLine(text, lineStartNear(text, prevEnd, STREET_REACH + 20), prevEnd);
      }
    } else {
      let end = at;
      while (end > lineStart && (text[end - 1] === ' ' || text[end - 1] === ',')) end--;
      walk = walkBack(text, lineStart, end);
    }
    // "Chapter 2 Unit 3": a unit word that is also a common noun needs a
    // house number first.
    const kind = (m[1] as string).toLowerCase();
    if (walk === null || walk.notStreet) continue;
    if (!walk.numberFirst && (kind === 'unit' || kind === 'flat' || kind === 'ste')) continue;
    const end = blockEnd(text, unitEnd);
    pushAddress(text, walk.start, end, out);
    // The street and unit alone, should the block overlap a stronger span.
    if (end > unitEnd) pushAddress(text, walk.start, unitEnd, out);
  }
}

/** A unit-less block's postcode line is not a list item like the street line
 * above it ("PR 4356\n PR 26865", "bug 1776\n unable to duplicate bug 1090"),
 * a year ("Copyright (C) 1992") or prose: its place has no stop word, no
 * date/id word, and is not the street's first word again; a 4-digit postcode
 * is not a year. */
function postcodeLineFits(text: string, walk: Walk, pc: RegExpExecArray): boolean {
  const place = (pc[1] ?? '').split(/[ ,]+/).filter((w) => w !== '');
  if (hasStopWord(place) || place.some((w) => NOT_STREET_WORDS.has(w.toLowerCase()))) return false;
  const first = text.slice(walk.start, walk.end).split(' ')[0] as string;
  if (place.length > 0 && place[0]?.toLowerCase() === first.toLowerCase()) return false;
  const code = /\d[\dA-Z -]*\d|\d/.exec(pc[0].slice((pc[1] ?? '').length)) as RegExpExecArray;
  return !/^(?:19|20)\d\d$/.test(code[0]);
}

/** Whether the line ending at `nl` ends with a sentence's punctuation (most
 * lines of prose do; the street and city lines above a postcode do not, but
 * for a house number's ordinal dot or an abbreviation: "u. 94.", "Str."). A
 * cheap test that leaves out most lines before the postcode-line regex runs. */
function endsSentence(text: string, nl: number): boolean {
  let i = nl - 1;
  while (i >= 0 && nl - i < 8 && (text[i] === ' ' || text[i] === '\t' || text[i] === '\r')) i--;
  if (i < 0) return false;
  const c = text[i] as string;
  if (c !== '.') return c === '!' || c === '?' || c === ':' || c === ';' || c === '"';
  if (i > 0 && /\d/.test(text[i - 1] as string)) return false;
  const space = text.lastIndexOf(' ', i);
  return i - space > 5;
}

/** Postcode lines anchor blocks without a unit: "27534 Þorsteinsgata 63\nMOSS\n,
 * nan\n 51971", "180 Sahantie 72\nAAPAJÄRVI, LL 34736", "Hauptweg 5\n10115
 * Berlin": a street line, up to 3 city lines, and a postcode line with a place
 * on it or a city line before it. */
function detectBlocks(text: string, out: Span[]): void {
  for (let nl = text.indexOf('\n'); nl !== -1; nl = text.indexOf('\n', nl + 1)) {
    const start = nl + 1;
    if (endsSentence(text, nl)) continue;
    POSTCODE_LINE_RE.lastIndex = start;
    const pc = POSTCODE_LINE_RE.exec(text);
    if (pc === null) continue;
    if (!spend()) break;
    // Walk up over city lines to the street line.
    let lineEnd = start - 1;
    let cities = 0;
    for (let up = 0; up < 4 && lineEnd > 0; up++) {
      const lineStart = lineStartNear(text, lineEnd, STREET_REACH + 20);
      CITY_LINE_RE.lastIndex = lineStart;
      const city = CITY_LINE_RE.exec(text);
      if (city !== null && (lineStart === 0 || text[lineStart - 1] === '\n')) {
        if (city[0].trim() !== '') cities++;
        lineEnd = lineStart - 1;
        continue;
      }
      const walk = streetEndingLine(text, lineStart, lineEnd);
      if (
        walk !== null &&
        !walk.notStreet &&
        (cities > 0 || pc[1] !== undefined || pc[2] !== undefined) &&
        postcodeLineFits(text, walk, pc)
      ) {
        pushAddress(text, walk.start, start + pc[0].length, out);
      }
      break;
    }
  }
}

/** The word "street" after a house number: "drops you off at 74678
 * midtvollen 130 st.", "Grössgstötten 50 street", "Árpád fejedelem útja 3.
 * street"; the street is the words before it ("street" itself is left out).
 * Anchored on the word (a regex starting at every digit cost 2 ms per MiB). */
const STREET_WORD_RE = / st(?:reet)?\b/gi;
/** Hungarian street types after the name: "Király u. 15.", "Kossuth Lajos utca 5". */
const TYPE_AFTER_NAME_RE = new RegExp(`(?:u\\.|utca|út|útja|krt\\.|körút|tér) \\d{1,4}\\.?(?![${LT}\\d])`, 'gi');
/** A post-office box is an address on its own: "P.O. Box 77", "PO Box 5",
 * "Postbox 41", "Post Office Box 9", "Postfach 12 34", "Apartado 208". */
const PO_BOX_RE =
  /\b(?:P\.? ?O\.? ?Box|Post(?:al)? ?(?:Office )?Box|Postbox|Postfach|Apartado|Casilla|Caixa Postal|Boîte postale) ?#?\d{1,6}(?: \d{2,4})?(?![\w]|[.,]\d)/i;

/** Where a box number may be: the word before the number (a shorter
 * alternation than PO_BOX_RE's, so a cheaper scan); PO_BOX_RE then reads the
 * few characters around it. */
const PO_BOX_ANCHOR_RE = /(?:box|fach|apartado|casilla|postal|postale) ?#?\d/gi;

function detectPoBoxes(text: string, out: Span[]): void {
  PO_BOX_ANCHOR_RE.lastIndex = 0;
  for (let a = PO_BOX_ANCHOR_RE.exec(text); a !== null; a = PO_BOX_ANCHOR_RE.exec(text)) {
    if (!spend()) break;
    const from = Math.max(0, a.index - 20);
    PO_BOX_RE.lastIndex = 0;
    const m = PO_BOX_RE.exec(text.slice(from, a.index + 40));
    if (m === null || from + m.index > a.index) continue;
    // The window may start inside a word: \b there is no word start.
    if (m.index === 0 && from > 0 && /\w/.test(text[from - 1] as string)) continue;
    const end = from + m.index + m[0].length;
    pushAddress(text, from + m.index, end, out);
    PO_BOX_ANCHOR_RE.lastIndex = Math.max(PO_BOX_ANCHOR_RE.lastIndex, end);
  }
}

/** A named street without a number after a place preposition: "the early
 * shows on Marina Fort Street", "a flat off Station Road". Anchored on the
 * street word (case-sensitive, spelled out); the name is one to three
 * capitalised words read back from it. */
const NAMED_STREET_RE = / (?:Street|Avenue|Road|Boulevard|Lane|Drive)\b/g;
const NAME_WORD_RE = /^\p{Lu}[\p{L}'’-]{1,30}$/u;
/** Not "of", "to", "with": "the work of Tom Lane", "thanks to Iain Lane". */
const PLACE_PREPOSITIONS = new Set(['on', 'at', 'in', 'along', 'off', 'down', 'up', 'near', 'into', 'onto', 'from', 'via']);

function detectNamedStreets(text: string, out: Span[]): void {
  NAMED_STREET_RE.lastIndex = 0;
  for (let m = NAMED_STREET_RE.exec(text); m !== null; m = NAMED_STREET_RE.exec(text)) {
    if (!spend()) break;
    const before = text.slice(Math.max(0, m.index - 100), m.index).split(' ');
    let k = before.length;
    while (k > 0 && before.length - k < 3 && NAME_WORD_RE.test(before[k - 1] as string)) k--;
    const names = before.length - k;
    if (names === 0 || k === 0 || !PLACE_PREPOSITIONS.has(before[k - 1] as string)) continue;
    const start = m.index - before.slice(k).join(' ').length;
    pushAddress(text, start, m.index + m[0].length, out);
  }
}

/** A house number, one to three words and a number: "2407 tawastintie 6",
 * "641 Dašická 688"; an address only with a cue before it or a place after it. */
const HOUSE_FIRST_RE = new RegExp(
  `\\b\\d{1,6}[A-Za-z]? (?:[${LT}][${LT}'’.-]{0,30} ){1,3}\\d{1,5}[A-Za-z]?(?![${LT}\\d]|[.,:/-]\\d)(?=[,.!?;]|[ \\t]*(?:\\r?\\n|$))`,
  'g',
);
const CUE_BEFORE_RE = /(?:\b(?:at|to|is|in|on|from|near|address(?:es)?|of)|[:,]) {1,3}$/i;
const PLACE_AFTER_RE = /^, ?[\p{L}][\p{L}\p{M}'’.-]{1,30}(?:(?:, ?| )[\p{L}][\p{L}\p{M}'’.()-]{0,30}){0,3}(?=[.!?]?\s*$|[.!?]\s|\s*\n|,)/u;
const CLAUSE_END_AFTER_RE = /^(?:[.!?]?\s*$|[.!?;]\s|\s*\n|,)/;
/** Cues after which a street follows, number first or not: "lives on
 * Grössgstötten 50", "send it to Kuusiku 7", "the office is at Tungata 11 Rott
 * Crossroad". */
const STREET_CUE_RE =
  /\b(?:(?:live[sd]?|living|located|situated|reside[sd]?|residing|stay(?:s|ed|ing)?) (?:at|on|in)|(?:based|headquartered) (?:at|in)|(?:ship(?:ped|ping)?|deliver(?:ed|y)?|send|sent|mail(?:ed)?|post(?:ed)?|return(?:ed)?|forward(?:ed)?|taxi) (?:it |this |them |these |everything |one |back )?to|address(?:es)?(?: of(?: [\w'’-]{1,30}){1,4})? (?:is|was)|address(?:es)?(?: ?[:=]| -)|(?:residence|domicile|located|registered office|registered address):?|(?:office|restaurant|shop|store|house|home|hotel|venue|clinic|studio|branch|headquarters|hq) (?:is |are )?(?:at|on|in)|(?:meet|find|visit) (?:me|you|us|them) at|(?:drops?|picks?) (?:you|me|us) (?:off|up) at|((?:moved|went|go(?:es|ing)?|came|come|head(?:ed|ing)?|drive|take me|walk(?:ed)?) (?:back )?(?:to|from|into)|(?:moved|came|come) (?:out )?from|(?:work(?:s|ed|ing)?|grew up|arrived?|was|were) at|grew up on|visit)|(corner of(?: the)?)|(address(?:es)?(?: with)?))(?:[ \t]{1,3}|[ \t]{0,3}\r?\n[ \t]{0,8})/gi;
const DIGIT_NEAR_RE = /[^\d]{0,90}\d/y;
/** After "corner of": "Dalbraut 99 and Frederikke Coves". */
const CORNER_PART_RE =
  /^((?:[\p{L}\p{M}\d][\p{L}\p{M}\d'’./-]{0,30} ){0,3}[\p{L}\p{M}\d][\p{L}\p{M}\d'’./-]{0,30}) (?:and|&) ((?:[\p{L}\p{M}\d][\p{L}\p{M}\d'’./-]{0,30} ){0,3}[\p{L}\p{M}\d][\p{L}\p{M}\d'’/-]{0,30})/u;

function detectProseStreets(text: string, out: Span[]): void {
  STREET_WORD_RE.lastIndex = 0;
  for (let m = STREET_WORD_RE.exec(text); m !== null; m = STREET_WORD_RE.exec(text)) {
    if (!spend()) break;
    // A number ("130", "3.") right before the word.
    let end = m.index;
    if (end > 0 && text[end - 1] === '.') end--;
    if (end === 0 || !/\d/.test(text[end - 1] as string)) continue;
    if (text[end] === '.') end++;
    const walk = walkBack(text, lineStartNear(text, end, STREET_REACH + 20), end);
    if (walk !== null && !walk.notStreet) pushAddress(text, walk.start, end, out);
  }
  TYPE_AFTER_NAME_RE.lastIndex = 0;
  for (let m = TYPE_AFTER_NAME_RE.exec(text); m !== null; m = TYPE_AFTER_NAME_RE.exec(text)) {
    if (!spend()) break;
    if (m.index === 0 || text[m.index - 1] !== ' ') continue;
    const end = m.index + m[0].length;
    const walk = walkBack(text, lineStartNear(text, m.index, STREET_REACH + 20), end);
    if (walk !== null && !walk.notStreet) pushAddress(text, walk.start, end, out);
  }
  HOUSE_FIRST_RE.lastIndex = 0;
  for (let m = HOUSE_FIRST_RE.exec(text); m !== null; m = HOUSE_FIRST_RE.exec(text)) {
    if (!spend()) break;
    const at = m.index;
    const parts = m[0].split(' ');
    const words = parts.slice(1, -1);
    const end = at + m[0].length;
    const bad =
      (at > 0 && /[.,:/+-]/.test(text[at - 1] as string)) ||
      hasStopWord(words) ||
      words.some((w) => NOT_STREET_WORDS.has(w.toLowerCase().replace(/\.$/, ''))) ||
      !words.some((w) => w.length >= 3);
    const after = bad ? '' : text.slice(end, end + 80);
    const place = bad ? null : PLACE_AFTER_RE.exec(after);
    const placed = place !== null && !hasStopWord(place[0].split(/[ ,]+/));
    if (bad || !((CUE_BEFORE_RE.test(text.slice(Math.max(0, at - 12), at)) && CLAUSE_END_AFTER_RE.test(after)) || placed)) {
      // The last number may start another street.
      HOUSE_FIRST_RE.lastIndex = end - (parts[parts.length - 1] as string).length;
      continue;
    }
    pushAddress(text, at, end, out);
  }
  STREET_CUE_RE.lastIndex = 0;
  for (let m = STREET_CUE_RE.exec(text); m !== null; m = STREET_CUE_RE.exec(text)) {
    // Every reading below needs a number within a few words (the corner of
    // two named streets aside): most cues in prose have none.
    DIGIT_NEAR_RE.lastIndex = m.index + m[0].length;
    if (m[2] === undefined && !DIGIT_NEAR_RE.test(text)) continue;
    if (!spend()) break;
    ADDRESS_CUE_RE.lastIndex = m.index;
    const cued = ADDRESS_CUE_RE.exec(text);
    if (cued !== null) pushCued(m.index + cued[0].length - (cued[1] as string).length, cued[1] as string, out);
    const from = m.index + m[0].length;
    if (m[2] !== undefined) {
      corner(text, from, out);
      continue;
    }
    if (m[3] !== undefined) continue;
    const walk = walkForward(text, from);
    // "Dalbraut 99" or "12 Harbour View", not "gate 12" or "Python 3".
    if (walk === null || walk.notStreet) continue;
    const street = text.slice(walk.start, walk.end);
    // After a cue of going somewhere ("moved to", "was at"), one word and a
    // number is a product or a version as often ("moved to Apache 2").
    // A lone word is capitalised or not plain ASCII ("Dalbraut", "grössgstötten", not "customer").
    if (!walk.numberFirst && walk.words < 2) {
      if (m[1] !== undefined || street.search(/\p{L}{5}/u) === -1 || /\b(?:19|20)\d\d$/.test(street)) continue;
      if (!/^\p{Lu}/u.test(street) && !/[^\p{ASCII}]/u.test(street)) continue;
    }
    pushAddress(text, walk.start, walk.end, out);
  }
}

/** "the corner of Dalbraut 99 and Frederikke Coves": two streets after the cue. */
function corner(text: string, from: number, out: Span[]): void {
  const c = CORNER_PART_RE.exec(text.slice(from, from + 140));
  if (c === null) return;
  const one = c[1] as string;
  // The second street ends at a stop word ("… and Elm Street where we met").
  const two = (c[2] as string).split(' ');
  const cut = two.findIndex((w) => STOP_WORDS.has(w.toLowerCase()));
  let kept = cut === -1 ? two : two.slice(0, cut);
  // A capitalised name ends at the first lower-case word ("… and Norra Allén tonight").
  const lower = kept.findIndex((w) => !/^[\p{Lu}\d]/u.test(w));
  if (lower > 0) kept = kept.slice(0, lower);
  const second = kept.join(' ').replace(/[.]$/, '');
  // Each side a street: no stop words, a number or a capital in it.
  if (second === '' || hasStopWord(one.split(' '))) return;
  if (!/[\d\p{Lu}]/u.test(one) || !/[\d\p{Lu}]/u.test(second)) return;
  pushAddress(text, from, from + c[0].length - (c[2] as string).length + second.length, out);
}

/** A postcode (and city) right after a street: ", 75001 Paris", " 10115 Berlin". */
const POSTCODE_FIRST_TAIL_RE = new RegExp(`,? ${POSTCODE}${POSTCODE_END}(?: \\p{Lu}[\\p{L}\\p{M}'’.-]{1,30}){0,2}`, 'uy');

/** Extends each address span found from `first` on over a place-and-postcode
 * tail on its line: "14 Ridgeway Close, Sheffield S10 4JQ", "42 Rue de
 * Rivoli, 75001 Paris". */
function extendOverPostcodes(text: string, out: Span[], first: number): void {
  const last = out.length;
  for (let i = first; i < last; i++) {
    const s = out[i] as Span;
    if (s.type !== 'ADDRESS' || s.priority !== P.ADDRESS) continue;
    for (const re of [INLINE_TAIL_RE, POSTCODE_FIRST_TAIL_RE]) {
      re.lastIndex = s.end;
      const tail = re.exec(text);
      if (tail === null || hasStopWord(tail[0].split(/[ ,]+/))) continue;
      // A second, longer span: where the tail overlaps a stronger span (a
      // phone number read into "1100-053"), the street alone still stands.
      pushAddress(text, s.start, s.end + trimEnd(tail[0]).length, out);
      break;
    }
  }
}

export function detectAddresses(text: string, out: Span[]): void {
  const first = out.length;
  budget = 512 + (text.length >> 6);
  POSTCODE_CUE_RE.lastIndex = 0;
  for (let m = POSTCODE_CUE_RE.exec(text); m !== null; m = POSTCODE_CUE_RE.exec(text)) {
    let value = m[1] as string;
    // The cue is case-insensitive, the Dutch letters are not: "zip 1234 is…".
    if (/^\d{4} [a-z]{2}$/.test(value)) value = value.slice(0, 4);
    pushCued(m.index + m[0].length - (m[1] as string).length, value, out);
  }
  // Anchored on the street type (a regex without the `u` flag, ~1 ms per MiB
  // less), then the full pattern from there.
  STREET_TYPE_FIRST_ANCHOR_RE.lastIndex = 0;
  for (let a = STREET_TYPE_FIRST_ANCHOR_RE.exec(text); a !== null; a = STREET_TYPE_FIRST_ANCHOR_RE.exec(text)) {
    // The word start and a house number before are checked here.
    let start = a.index;
    if (start > 0 && /[\p{L}\d]/u.test(text[start - 1] as string)) continue;
    ADDRESS_TYPE_FIRST_RE.lastIndex = start;
    const m = ADDRESS_TYPE_FIRST_RE.exec(text);
    if (m === null) continue;
    const before = HOUSE_NUMBER_BEFORE_RE.exec(text.slice(Math.max(0, start - 8), start));
    if (before !== null) start -= before[0].length;
    const end = m.index + m[0].length;
    STREET_TYPE_FIRST_ANCHOR_RE.lastIndex = end;
    out.push({ start, end, type: 'ADDRESS', key: text.slice(start, end), priority: P.ADDRESS });
  }
  for (const re of [ADDRESS_RE, ADDRESS_ROMANCE_RE, ADDRESS_MILITARY_RE]) {
    re.lastIndex = 0;
    for (let m = re.exec(text); m !== null; m = re.exec(text)) {
      // A unit number before the house number: "2/14 Smith Street".
      const unit =
        m.index > 1 && text[m.index - 1] === '/' ? /(?<![\w/-])\d{1,4}\/$/.exec(text.slice(Math.max(0, m.index - 6), m.index)) : null;
      pushAddress(text, m.index - (unit === null ? 0 : unit[0].length), m.index + m[0].length, out);
    }
  }
  detectGermanic(text, out);
  detectUnitAddresses(text, out);
  if (text.includes('\n')) detectBlocks(text, out);
  detectProseStreets(text, out);
  detectNamedStreets(text, out);
  detectPoBoxes(text, out);
  extendOverPostcodes(text, out, first);
}
