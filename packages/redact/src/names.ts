import { createRequire } from 'node:module';
import { BloomFilter } from 'bloomfilter';
import { PERSON_PRIORITY, type Span } from './detectors.ts';
import { GIVEN_NAMES } from './lexicon/given-names.ts';
import { PRODUCT_NAMES } from './lexicon/product-names.ts';

/**
 * Person names, using the name lexicon of the `compromise` NLP library.
 *
 * Why not `nlp(text).people()`: compromise's full tagger runs at ~1,000 short
 * strings/s and ~30 five-kilobyte strings/s on one core, while the server must
 * redact ≥ 20,000 events/s on two. Its people() detection is, underneath, this
 * lexicon (≈3,100 first names, ≈900 surnames, honorifics, famous people) plus
 * context patterns, so we load the lexicon once and apply the same kind of
 * patterns ourselves over runs of Titlecase words, at regex speed.
 * (`wink-eng-lite-web-model` was measured too: faster, but its lite model has
 * no PERSON entity and tags every Titlecase word PROPN, so it cannot tell
 * "Maria Garcia" from "Model Registry".)
 *
 * What this catches: known first name + any Titlecase surname ("Aisha Bello"),
 * honorific + name ("Dr. Okafor"), unknown given name + known surname, names
 * right after a cue ("Dear …", "patient …", "name: …"), a known first name alone.
 * What it misses: lower-case names, all-caps names, and two unknown words with
 * no cue ("Ngozi Okonkwo"): see the eval table for the honest figures.
 */

type TokenClass =
  | 'HONORIFIC'
  | 'FIRST' // unambiguous given name in the lexicon (MaleName/FemaleName)
  | 'FIRST_WEAK' // given name that is also a word (Grace, Mark, Chase) or a one-word celebrity
  | 'FIRST_LEX' // given name from the larger public lists (lexicon/given-names.ts), not in compromise
  | 'LAST'
  | 'INITIAL' // "J.", or "J" between two name words
  | 'OTHER' // in the lexicon as something else: a month, city, noun, verb…
  | 'UNKNOWN'; // not in compromise's lexicon: an English word ("Mandolin") or none (see nonword)

interface Lexicon {
  first: Set<string>;
  firstWeak: Set<string>;
  /** The larger given-name lists (lexicon/), minus what compromise already classifies. */
  firstLex: Set<string>;
  last: Set<string>;
  other: Set<string>;
  /** Multi-word famous people ("bill gates"), matched as a whole. */
  people: Set<string>;
  /** Head nouns of organisations and places ("University", "River", "Bank"):
   * "Victoria Station" and "Jordan River" are not people. */
  heads: Set<string>;
  /** English words (an-array-of-english-words, ~275,000 incl. inflections) as a
   * Bloom filter: 0.1 % false positives (a name taken for a word: a miss, never
   * a false alarm), ~490 kB instead of the ~24 MB a Set of the words costs. */
  words: BloomFilter;
  /** Software, services and companies (lexicon/product-names.ts, from simple-icons)
   * that no name list knows: "Kubernetes", "Grafana", "Ollama" are not people. */
  products: Set<string>;
}

/** Head words compromise does not list but that are common in our traffic. */
const EXTRA_HEADS = [
  'station',
  'street',
  'road',
  'avenue',
  'pier',
  'state',
  'tech',
  'hospital',
  'airport',
  'tower',
  'hall',
  'centre',
  'center',
  'motors',
  'motor',
  'labs',
  'inc',
  'ltd',
  'llc',
  'gmbh',
  'corp',
  'plc',
];
/** Place prefixes: "San Jose", "Santa Monica", "Saint Helena". */
const PLACE_PREFIXES = new Set([
  'san',
  'santa',
  'santo',
  'sao',
  'são',
  'saint',
  'st',
  'fort',
  'port',
  'mount',
  'lake',
  'new',
  'north',
  'south',
  'east',
  'west',
]);

const HONORIFICS = new Set([
  'mr',
  'mrs',
  'ms',
  'miss',
  'mx',
  'dr',
  'prof',
  'professor',
  'sir',
  'dame',
  'lord',
  'lady',
  'rev',
  'fr',
  'herr',
  'frau',
  'mme',
  'mlle',
  'sr',
  'sra',
  'srta',
  'dott',
  'ing',
]);

/** Words that announce a name even when the name itself is unknown. */
const CUE_WORDS = new Set([
  'dear',
  'hi',
  'hello',
  'patient',
  'customer',
  'client',
  'employee',
  'applicant',
  'candidate',
  'tenant',
  'member',
  'passenger',
  'named',
  'contact',
  'attn',
  'signed',
  'sincerely',
  'regards',
]);
/** Cues in the text just before a run (case-insensitive), e.g. "name: ". */
const CUE_BEFORE_RE =
  /(?:\b(?:(?:last\s+|first\s+|full\s+)?name(?:\s+is|\?)?|named|this\s+is|it['’]s|i['’]m|i\s+am|(?:spoke|talked|speak|talk)\s+(?:to|with)|ask|(?:ship|deliver|send)\s+to|(?:signed|prepared|written|approved|reviewed|submitted|requested|authored|created|sent)\s+by|(?:from|to|cc|attn)\s*:)|(?:^|[\n!.]\s{0,8})[-–—]|\b(?:thanks|thank\s+you|cheers|regards|best|dear|hi|hey|hello|patient|customer|client|employee|applicant|candidate|passenger|member|contact)\b,?)\s*:?\s*$/i;

let lexicon: Lexicon | undefined;

/** Loads compromise synchronously on the first name pass (so processes that
 * never redact names, or set `names: false`, never pay its ~250 ms and ~15 MB),
 * keeps only the sets we need, then drops compromise from the require cache so
 * its tagger model can be garbage-collected. */
function loadLexicon(): Lexicon {
  if (lexicon !== undefined) return lexicon;
  const require = createRequire(import.meta.url);
  const resolved = require.resolve('compromise');
  const nlp = require(resolved) as { world(): { model: { one: { lexicon: Record<string, string | string[]> } } } };
  const entries = nlp.world().model.one.lexicon;

  const world = nlp.world() as ReturnType<typeof nlp.world> & {
    model: { two: { orgWords: Record<string, boolean>; placeWords: Record<string, boolean> } };
  };
  const heads = new Set([...Object.keys(world.model.two.orgWords), ...Object.keys(world.model.two.placeWords), ...EXTRA_HEADS]);
  const wordList = require('an-array-of-english-words') as string[];
  const words = new BloomFilter(Math.ceil(wordList.length * 14.4), 10);
  for (const w of wordList) words.add(w);
  delete require.cache[require.resolve('an-array-of-english-words')];
  const lex: Lexicon = {
    words,
    first: new Set(),
    firstWeak: new Set(),
    firstLex: new Set(),
    last: new Set(),
    other: new Set(),
    people: new Set(),
    heads,
    products: new Set(),
  };
  for (const word in entries) {
    const raw = entries[word];
    const tags = typeof raw === 'string' ? [raw] : (raw ?? []);
    if (word.includes(' ')) {
      if (tags.includes('Person')) lex.people.add(word);
      continue;
    }
    if (tags.includes('MaleName') || tags.includes('FemaleName')) lex.first.add(word);
    else if (tags.includes('FirstName') || tags.includes('Person')) lex.firstWeak.add(word);
    else if (tags.includes('LastName')) lex.last.add(word);
    else lex.other.add(word);
  }
  delete require.cache[resolved];
  for (const name of GIVEN_NAMES.split(' ')) {
    if (!lex.first.has(name) && !lex.firstWeak.has(name) && !lex.last.has(name) && !lex.other.has(name)) lex.firstLex.add(name);
  }
  for (const name of PRODUCT_NAMES.split(' ')) {
    if (!lex.first.has(name) && !lex.firstWeak.has(name) && !lex.firstLex.has(name) && !lex.last.has(name)) lex.products.add(name);
  }
  lexicon = lex;
  return lex;
}

/** Size of the loaded lexicon; a test asserts it so a compromise upgrade that
 * moves the lexicon fails loudly instead of silently finding no names. */
export function nameLexiconSize(): { first: number; last: number } {
  const lex = loadLexicon();
  return { first: lex.first.size + lex.firstWeak.size + lex.firstLex.size, last: lex.last.size };
}

/** A Titlecase word (O'Connor, McDonald, Al-Sayed, José) or an initial, with an
 * optional trailing dot; runs are words separated by exactly one space. Every
 * quantifier is bounded (40 letters a part, 4 hyphenated parts) so a match is
 * at most a few hundred characters whatever the input: a word longer than that
 * is not a name, and an unbounded `(?:-…)*` group overflows the regex stack on
 * a few MB of "Ab-ab-ab…". */
const WORD = "(?:\\p{Lu}(?:['’]\\p{Lu})?\\p{Ll}{1,40}(?:\\p{Lu}\\p{Ll}{1,40})?(?:-\\p{Lu}?\\p{Ll}{1,40}){0,4}|\\p{Lu})\\.?";
/** A run may not end inside a contraction ("Don't" is not "Don"); a possessive
 * "'s" may follow ("Arne's address"). */
const RUN_RE = new RegExp(`(?<![\\p{L}\\p{N}_'’.-])${WORD}(?: ${WORD}){0,7}(?![\\p{L}\\p{N}_]|['’](?!s(?![\\p{L}])))`, 'gu');
/** A lower-case word (its letters up to 40), or a whole word in capitals ("JOHN SMITH"). */
const LOWER_WORD_START_RE = /(?<![\p{L}\p{N}_'’.-])(?:(\p{Ll}{1,40})|\p{Lu}{2,40}(?![\p{L}\p{N}]))/gu;
/** The word does not end here ("well-known", "don't", an accent mark, a digit). */
const WORD_GOES_ON_RE = /^[\p{L}\p{M}\p{N}_'’-]/u;
/** Below this a string cannot hold a first name and a surname worth finding. */
export const MIN_NAME_TEXT_LENGTH = 4;

interface Token {
  start: number;
  end: number; // excludes a trailing dot
  word: string; // lower-case, no dot
  dotted: boolean;
  cls: TokenClass;
  /** Written in lower case or in capitals in the text (title-cased only for the scan). */
  lowered: boolean;
  /** nonword(), once asked. */
  nonword: boolean | undefined;
}

/** "béla" → "bela": a word list without accents still knows "cafe" in "Café". */
const COMBINING_RE = /\p{M}/gu;
const fold = (word: string): string => word.normalize('NFD').replace(COMBINING_RE, '');

/** An English word, as written or without its accents. */
function isWord(lex: Lexicon, word: string): boolean {
  if (lex.words.test(word)) return true;
  if (!NON_ASCII_RE.test(word)) return false;
  const folded = fold(word);
  return folded !== word && lex.words.test(folded);
}

/** classify() of words longer than one letter, as written in Titlecase and in
 * lower case: ordinary text repeats its words, and one Map lookup is cheaper
 * than the seven Set lookups behind a class. Emptied when it reaches
 * CLASS_CACHE_MAX words, so its memory is bounded whatever the traffic. */
const classCache = new Map<string, TokenClass>();
const lowerClassCache = new Map<string, TokenClass>();
const CLASS_CACHE_MAX = 50_000;
/** Lower-case words tokenize() leaves out (see there), so titleCased() need not
 * title-case them and RUN_RE never reads them: most of a prose text's words. */
const ignorable = new Set<string>();
function classifyCached(lex: Lexicon, word: string, raw: string, dotted: boolean, lowered: boolean): TokenClass {
  if (raw.length === 1) return classify(lex, word, raw, dotted, lowered);
  const cache = lowered ? lowerClassCache : classCache;
  let cls = cache.get(word);
  if (cls === undefined) {
    if (cache.size >= CLASS_CACHE_MAX) {
      cache.clear();
      ignorable.clear();
    }
    cls = classify(lex, word, raw, dotted, lowered);
    cache.set(word, cls);
  }
  return cls;
}

function classify(lex: Lexicon, word: string, raw: string, dotted: boolean, lowered: boolean): TokenClass {
  if (HONORIFICS.has(word)) return 'HONORIFIC';
  // "J." anywhere; a bare "J" only as a name's middle part (see extent), never "I" or "A".
  // In lower case only a dotted one ("eric g. samoylova").
  if (raw.length === 1) return raw !== 'I' && raw !== 'A' && (dotted || !lowered) ? 'INITIAL' : 'OTHER';
  if (lex.first.has(word)) return 'FIRST';
  // In lower case a name that is also a word ("will", "mark", "grace") is the word.
  if (lex.firstWeak.has(word)) return lowered ? 'OTHER' : 'FIRST_WEAK';
  // The larger lists hold words too ("loyalty", "wisdom"): those count as weak.
  if (lex.firstLex.has(word)) return !isWord(lex, word) ? 'FIRST_LEX' : lowered ? 'OTHER' : 'FIRST_WEAK';
  if (lex.last.has(word)) return 'LAST';
  if (lex.other.has(word) || CUE_WORDS.has(word) || lex.products.has(word)) return 'OTHER';
  return 'UNKNOWN';
}

/** A word that is a name or a proper noun rather than English: a NONWORD, a
 * known surname or given name that is no English word ("Becker", "Andrzej").
 * In lower case only one with a letter beyond ASCII counts ("jerković"): a
 * plain lower-case non-word is as likely a typo or a product ("pls", "kubectl"). */
function properLike(lex: Lexicon, t: Token): boolean {
  if (t.cls !== 'UNKNOWN' && t.cls !== 'LAST' && t.cls !== 'FIRST_LEX') return false;
  if (t.lowered ? !NON_ASCII_RE.test(t.word) || t.word.length < 4 : t.word.length < 3) return false;
  if (t.cls !== 'FIRST_LEX' && !nonword(lex, t)) return false;
  return t.lowered || (!lex.heads.has(t.word) && !PLACE_PREFIXES.has(t.word));
}

/** In no English word list ("Szöllösy", "Ubul", "Kaczmarek"). Asked lazily and
 * remembered: most tokens never need it, and the filter is the costly part. */
function nonword(lex: Lexicon, t: Token): boolean {
  if (t.nonword === undefined) t.nonword = !isWord(lex, t.word);
  return t.nonword;
}
const NON_ASCII_RE = /[^\p{ASCII}]/u;

/** "healthpocket", "zoolander": a brand made of two English words (each ≥ 3
 * letters) is taken for a name only with more evidence than a capital. */
function compound(lex: Lexicon, word: string): boolean {
  if (word.length < 7 || word.length > 30) return false;
  for (let i = 3; i <= word.length - 3; i++) {
    if (lex.words.test(word.slice(0, i)) && lex.words.test(word.slice(i))) return true;
  }
  return false;
}

const isNamePart = (c: TokenClass): boolean =>
  c === 'FIRST' || c === 'FIRST_WEAK' || c === 'FIRST_LEX' || c === 'LAST' || c === 'INITIAL' || c === 'UNKNOWN';

/** Appends PERSON spans for `text` to `out`. */
export function detectNames(text: string, out: Span[]): void {
  if (text.length < MIN_NAME_TEXT_LENGTH) return;
  const lex = loadLexicon();
  // Lower-cased text ("hi, my name is ondřej kovařík") is scanned as a title-cased
  // copy with the same offsets; each token remembers how it was written, and the
  // rules below ask more of lower-case words than of Titlecase ones.
  const scanned = titleCased(text);
  const from0 = out.length;
  const all: Token[] = [];
  RUN_RE.lastIndex = 0;
  for (let m = RUN_RE.exec(scanned); m !== null; m = RUN_RE.exec(scanned)) {
    tokenize(lex, text, m[0], m.index, all);
  }
  // Runs are capped at 8 words (to bound the regex), and in title-cased prose
  // every word is in one, so a cap would cut "… verses from Alice | Goldberg":
  // words one space apart are read as one sequence whatever run they came from.
  // A dotted word that is not an honorific or initial ends a sentence: it ends
  // the sequence too.
  let from = 0;
  for (let i = 0; i < all.length; i++) {
    const t = all[i] as Token;
    const next = all[i + 1];
    const after = t.end + (t.dotted ? 1 : 0);
    const joined =
      next !== undefined &&
      next.start === after + 1 &&
      text.charCodeAt(after) === 32 &&
      !(t.dotted && t.cls !== 'HONORIFIC' && t.cls !== 'INITIAL');
    if (!joined) {
      matchRun(text, all.slice(from, i + 1), out);
      from = i + 1;
    }
  }
  if (out.length > from0) propagate(text, all, out, from0);
}

/** A name found once is the same person wherever its parts recur in the text:
 * "… sung by Bonifacy Kaczmarek … that Kaczmarek was …", "calls me Antti".
 * Parts of three letters or more that are no English word (or are a known
 * given name) are redacted at every other occurrence written the same way. */
function propagate(text: string, tokens: Token[], out: Span[], from: number): void {
  const lex = lexicon as Lexicon;
  // Tokens and spans are both in text order: one merge walk each, linear in both.
  const found = out.slice(from).sort((a, b) => a.start - b.start);
  const inside = new Uint8Array(tokens.length);
  const parts = new Set<string>(); // written capitalised
  const lowerParts = new Set<string>();
  let j = 0;
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i] as Token;
    while (j < found.length && (found[j] as Span).end <= t.start) j++;
    const span = found[j];
    if (span === undefined || span.start >= t.end) continue;
    inside[i] = 1;
    if (t.word.length >= 3 && (t.cls === 'FIRST' || t.cls === 'FIRST_WEAK' || properLike(lex, t)))
      (t.lowered ? lowerParts : parts).add(t.word);
  }
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i] as Token;
    if (inside[i] === 1 || !(t.lowered ? lowerParts : parts).has(t.word)) continue;
    inside[i] = 1;
    out.push({ start: t.start, end: t.end, type: 'PERSON', key: text.slice(t.start, t.end), priority: PERSON_PRIORITY });
  }
  coordinate(text, tokens, inside, out);
}

/** ", " / " and " / ", and " / " & " between two tokens. */
const LIST_SEPARATOR_RE = /^(?:,? and |, | & )$/;
/** What may follow a list's last item: the end, or punctuation that is no comma. */
const ITEM_END_RE = /^(?:$|[.!?;:)\]"'’]|\s*\n)/;

/** A list with a name in it is a list of names: "founders: Kónya, Graves and
 * Reed", "Petrovna and White". Its other items must be one capitalised word
 * each (a multi-word item is more likely a place or a firm). */
function coordinate(text: string, tokens: Token[], inside: Uint8Array, out: Span[]): void {
  // "and" is a token too (the scan title-cases every word): step over it.
  const isAnd = (k: number): boolean => (tokens[k] as Token).lowered && (tokens[k] as Token).word === 'and';
  const nextItem = (k: number): number => (k < tokens.length && isAnd(k) ? k + 1 : k);
  const prevItem = (k: number): number => (k >= 0 && isAnd(k) ? k - 1 : k);
  const after = (t: Token): number => t.end + (t.dotted ? 1 : 0);
  const separated = (a: Token, b: Token): boolean => b.start - after(a) <= 6 && LIST_SEPARATOR_RE.test(text.slice(after(a), b.start));
  /** Two capitalised words one space apart: one multi-word item. */
  const adjacent = (a: Token | undefined, b: Token | undefined): boolean =>
    a !== undefined && b !== undefined && !a.lowered && !b.lowered && !a.dotted && b.start === after(a) + 1;
  const item = (k: number): boolean => {
    const t = tokens[k] as Token;
    return (
      inside[k] === 0 &&
      !t.lowered &&
      t.word.length >= 2 &&
      t.cls !== 'HONORIFIC' &&
      t.cls !== 'INITIAL' &&
      !CUE_WORDS.has(t.word) &&
      !lexicon?.heads.has(t.word) &&
      !adjacent(tokens[k - 1], t) &&
      !adjacent(t, tokens[k + 1])
    );
  };
  // Going forward an item must close: the next separator, or the clause ends
  // ("… and Reed."), not "Okonkwo, Date of birth". Going backward the list's
  // start is unclear ("Thanks, Kenji!"), so only name-like words are taken.
  const closes = (k: number): boolean => {
    const t = tokens[k] as Token;
    const next = tokens[nextItem(k + 1)];
    return t.dotted || (next !== undefined && separated(t, next)) || ITEM_END_RE.test(text.slice(t.end, t.end + 2));
  };
  const nameLike = (k: number): boolean => {
    const t = tokens[k] as Token;
    return t.cls === 'FIRST' || t.cls === 'FIRST_LEX' || t.cls === 'LAST' || properLike(lexicon as Lexicon, t);
  };
  const take = (k: number): void => {
    const t = tokens[k] as Token;
    inside[k] = 1;
    out.push({ start: t.start, end: t.end, type: 'PERSON', key: text.slice(t.start, t.end), priority: PERSON_PRIORITY });
  };
  for (let i = 0; i < tokens.length; i++) {
    if (inside[i] !== 1 || (tokens[i] as Token).lowered) continue;
    let j = i;
    while (inside[j + 1] === 1 && adjacent(tokens[j], tokens[j + 1])) j++;
    for (let prev = j, k = nextItem(j + 1); k < tokens.length; prev = k, k = nextItem(k + 1)) {
      if (!separated(tokens[prev] as Token, tokens[k] as Token) || !item(k) || !closes(k)) break;
      take(k);
      if ((tokens[k] as Token).dotted) break;
    }
    for (let prev = i, k = prevItem(i - 1); k >= 0; prev = k, k = prevItem(k - 1)) {
      if (!separated(tokens[k] as Token, tokens[prev] as Token) || !item(k) || !nameLike(k)) break;
      take(k);
    }
    i = j;
  }
}

/** `text` with the first letter of every lower-case word upper-cased and words
 * in capitals title-cased (only where that keeps the length, so offsets are the
 * same in both). Edited in place in a UTF-16 copy: one copy and one decode,
 * instead of a string built from ~80,000 pieces per MiB of prose. */
function titleCased(text: string): string {
  LOWER_WORD_START_RE.lastIndex = 0;
  let copy: Buffer | undefined;
  for (let m = LOWER_WORD_START_RE.exec(text); m !== null; m = LOWER_WORD_START_RE.exec(text)) {
    const word = m[0];
    let cased: string;
    if (m[1] !== undefined) {
      // A whole lower-case word: left as it is when tokenize() has no use for it.
      if (ignorable.has(word) && !WORD_GOES_ON_RE.test(text.charAt(m.index + word.length))) continue;
      const c = word.charCodeAt(0);
      if (c >= 97 && c <= 122) {
        copy ??= Buffer.from(text, 'utf16le');
        copy.writeUInt16LE(c - 32, m.index * 2);
        continue;
      }
      cased = word.charAt(0).toUpperCase();
      if (cased.length !== 1) continue; // "ß" → "SS", and the first half of a surrogate pair
    } else {
      // "JOHN" → "John".
      cased = word.charAt(0) + word.slice(1).toLowerCase();
      if (cased.length !== word.length) continue; // "İ" lower-cases to two units
    }
    copy ??= Buffer.from(text, 'utf16le');
    for (let k = 0; k < cased.length; k++) copy.writeUInt16LE(cased.charCodeAt(k), (m.index + k) * 2);
  }
  return copy === undefined ? text : copy.toString('utf16le');
}

/** A cue after which a capitalised word is a name even if it is also a word. */
const STRONG_CUE_RE = /(?:\bname\s*(?:is|was|:)|\bnamed(?:\s+(?:him|her|them|it))?|\bcalls?\s+(?:me|him|her)|\bcalled|\bsaid)\s+$/i;
/** ", Mark!" / ", Randy?": a name addressed at the end of a clause. */
const VOCATIVE_BEFORE_RE = /, $/;
const VOCATIVE_AFTER_RE = /^[!?.]/;

/** After a sentence-initial word: ", " or ": " or a lower-case verb-like word
 * ("is", "had", "spent") — the word is the clause's subject, not a heading. */
const CLAUSE_AFTER_RE = /^(?:['’]s)?(?:[,:] |\s(?:is|was|has|had|lives|spent|says|said|will|can|and|wrote|works|called|told|went|got)\b)/;
function startsClause(text: string, end: number): boolean {
  return CLAUSE_AFTER_RE.test(text.slice(end, end + 12));
}

/** Sentence-initial: only spaces between the start of the text or a . ! ? or
 * newline and `at`. A capital there says nothing about a name. */
function sentenceInitial(text: string, at: number): boolean {
  for (let i = at - 1; i >= 0 && at - i < 16; i--) {
    const c = text.charCodeAt(i);
    if (c === 32 || c === 9 || c === 34 || c === 40) continue;
    return c === 46 || c === 33 || c === 63 || c === 10 || c === 13;
  }
  return true;
}

/** Appends the run's tokens to `tokens`. A lower-case word the lexicon knows as
 * something else ("the", "invoice") can be no part of a name and no rule looks at
 * it, unless it is a cue, a head noun, a place prefix or the "and" of a list: it
 * is left out, which ends the sequence just as the word would, and spares most
 * of a prose text's tokens. */
function tokenize(lex: Lexicon, text: string, run: string, offset: number, tokens: Token[]): void {
  for (let pos = 0; pos <= run.length; ) {
    let cut = run.indexOf(' ', pos);
    if (cut === -1) cut = run.length;
    const part = run.slice(pos, cut);
    const dotted = part.charCodeAt(part.length - 1) === 46;
    const raw = dotted ? part.slice(0, -1) : part;
    const word = raw.toLowerCase();
    const start = offset + pos;
    // Lower case or capitals: either way not written as a name is (rules ask more of it).
    const lowered = text.charCodeAt(start) !== raw.charCodeAt(0) || (raw.length > 1 && text.charCodeAt(start + 1) !== raw.charCodeAt(1));
    let cls = classifyCached(lex, word, raw, dotted, lowered);
    // A short word in capitals that no lexicon knows is an acronym ("SSN", "ASAP"), not a name part.
    if (cls === 'UNKNOWN' && raw.length > 1 && raw.length <= 4 && text.charCodeAt(start + 1) !== raw.charCodeAt(1)) cls = 'OTHER';
    pos = cut + 1;
    if (lowered && cls === 'OTHER' && word !== 'and' && !CUE_WORDS.has(word) && !lex.heads.has(word) && !PLACE_PREFIXES.has(word)) {
      // titleCased() leaves this word in lower case next time: RUN_RE then skips it.
      if (text.charCodeAt(start) === word.charCodeAt(0) && text.charCodeAt(start + 1) === word.charCodeAt(1)) ignorable.add(word);
      continue;
    }
    // `nonword` set up front: one object shape for every token.
    tokens.push({ start, end: start + raw.length, word, dotted, lowered, cls, nonword: undefined });
  }
}

function matchRun(text: string, tokens: Token[], out: Span[]): void {
  const lex = lexicon as Lexicon;
  let i = 0;
  while (i < tokens.length) {
    const t = tokens[i] as Token;
    const next = tokens[i + 1];
    let take = 0; // number of name tokens starting at `start`
    let start = i;

    if (next !== undefined && lex.people.has(`${t.word} ${next.word}`)) {
      take = 2;
    } else if (
      (t.cls === 'HONORIFIC' || (t.cls === 'OTHER' && CUE_WORDS.has(t.word))) &&
      next !== undefined &&
      isNamePart(next.cls) &&
      // In lower case ("sir bot") the word after must be a known name.
      (!next.lowered || next.cls === 'FIRST' || next.cls === 'FIRST_LEX' || next.cls === 'LAST')
    ) {
      // "Dr. Okafor", "Customer Aisha Bello": the name starts after the cue.
      start = i + 1;
      take = extent(tokens, start);
    } else if (
      (t.cls === 'FIRST' || t.cls === 'FIRST_WEAK' || t.cls === 'FIRST_LEX') &&
      next !== undefined &&
      next.lowered === t.lowered &&
      isNamePart(next.cls)
    ) {
      take = extent(tokens, i);
    } else if (
      (t.cls === 'UNKNOWN' || t.cls === 'OTHER') &&
      !t.lowered &&
      next?.cls === 'LAST' &&
      next.lowered === t.lowered &&
      !lex.heads.has(t.word) &&
      !PLACE_PREFIXES.has(t.word)
    ) {
      // Unknown or ambiguous given name before a known surname: "Tariq Haddad", "Will Smith".
      take = 1 + extent(tokens, i + 1);
    } else if (
      next !== undefined &&
      next.lowered === t.lowered &&
      ((properLike(lex, t) && (properLike(lex, next) || (isNamePart(next.cls) && next.cls !== 'UNKNOWN'))) ||
        // "borna jerković": a lower-case non-word beside one with letters beyond ASCII.
        (t.lowered && t.cls === 'UNKNOWN' && t.word.length >= 3 && properLike(lex, next) && nonword(lex, t)))
    ) {
      // Two name-like words, neither English: "Krisztián Szöllösy", "Faina D. Yefremova".
      take = extent(tokens, i);
    } else if (t.cls === 'FIRST') {
      take = 1;
    } else if (
      properLike(lex, t) &&
      !t.lowered &&
      !compound(lex, t.word) &&
      (!sentenceInitial(text, t.start) || startsClause(text, t.end))
    ) {
      // One word that is no English word, mid-sentence ("the Christiansen novel",
      // "founders: Kónya, Becker and Vasquez"), or opening a clause as its subject
      // ("Tomomi is from …", "Ubul: What a wife.", "Leif, can I …").
      take = 1;
    } else if (t.cls === 'FIRST_LEX' && !t.lowered && (!sentenceInitial(text, t.start) || startsClause(text, t.end))) {
      // A given name of the larger lists alone, mid-sentence: "with Andrzej and Beata"
      // (in lower case only after a cue: "trace" and "aurora" are words too).
      take = 1;
    } else if (
      t.cls === 'FIRST_WEAK' &&
      !t.lowered &&
      (sentenceInitial(text, t.start)
        ? startsClause(text, t.end)
        : VOCATIVE_BEFORE_RE.test(text.slice(Math.max(0, t.start - 2), t.start)) && VOCATIVE_AFTER_RE.test(text.slice(t.end, t.end + 1)))
    ) {
      // A given name that is also a word, where only a name fits: the subject of a
      // clause ("Frank had given …", "Destiny: remember me") or a vocative ("… , Mark!").
      take = 1;
    } else if (
      !t.lowered &&
      (t.cls === 'OTHER' || t.cls === 'UNKNOWN' || t.cls === 'FIRST_WEAK') &&
      !CUE_WORDS.has(t.word) &&
      STRONG_CUE_RE.test(text.slice(Math.max(0, t.start - 24), t.start))
    ) {
      // After "name is", "named him", "calls me" any capitalised word is the name ("Key").
      take = extent(tokens, i) || 1;
    } else if (
      isNamePart(t.cls) &&
      t.cls !== 'INITIAL' &&
      (i === 0 || t.lowered || tokens[i - 1]?.lowered === true) &&
      CUE_BEFORE_RE.test(text.slice(Math.max(0, t.start - 24), t.start))
    ) {
      // "name: Ngozi Okonkwo", "signed by Okafor".
      take = extent(tokens, i);
    }

    if (take === 0) {
      i++;
      continue;
    }
    const first = tokens[start] as Token;
    const last = tokens[start + take - 1] as Token;
    const after = tokens[start + take];
    const before = tokens[start - 1];
    if (
      (after !== undefined && lex.heads.has(after.word)) ||
      lex.heads.has(last.word) ||
      (before !== undefined && start === i && PLACE_PREFIXES.has(before.word))
    ) {
      // Part of an organisation or place name: skip the whole run segment.
      i = start + take + (after !== undefined && lex.heads.has(after.word) ? 1 : 0);
      continue;
    }
    const end = last.dotted && last.cls === 'INITIAL' ? last.end + 1 : last.end;
    out.push({ start: first.start, end, type: 'PERSON', key: text.slice(first.start, end), priority: PERSON_PRIORITY });
    i = start + take;
  }
}

/** How many consecutive name-like tokens start at `from` (at most 4). */
function extent(tokens: Token[], from: number): number {
  let n = 0;
  const lowered = (tokens[from] as Token).lowered;
  while (from + n < tokens.length && n < 4) {
    const t = tokens[from + n] as Token;
    if (!isNamePart(t.cls) || t.lowered !== lowered) break;
    n++;
    // A dotted token (other than an initial) closes the name.
    if (t.dotted && t.cls !== 'INITIAL') break;
  }
  return n;
}
