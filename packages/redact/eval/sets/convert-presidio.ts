/**
 * presidio-small.src.json → presidio-small.jsonl (the eval format).
 *
 *   npx tsx packages/redact/eval/sets/convert-presidio.ts
 *
 * The source is the first 100 records of microsoft/presidio-research
 * tests/data/generated_small.json (MIT licence), kept as [text, [[type, value]]]
 * (the generator's template ids and masked text dropped). Their types map to
 * ours; ADDRESS parts that Presidio labels separately ("23", "8 wressle road",
 * "suite 771") and that touch each other across whitespace or commas are
 * merged into one address; types we do not detect (LOCATION, ORGANIZATION,
 * DATE_TIME, DOMAIN_NAME, TITLE, US_DRIVER_LICENSE) go to `ignore`: a
 * prediction over them is neither a hit nor a false alarm.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const MAP: Record<string, string> = {
  PERSON: 'PERSON',
  PHONE_NUMBER: 'PHONE',
  CREDIT_CARD: 'CREDIT_CARD',
  IP_ADDRESS: 'IP_ADDRESS',
  EMAIL_ADDRESS: 'EMAIL',
  US_SSN: 'SSN',
  ADDRESS: 'ADDRESS',
};

const here = (p: string): string => fileURLToPath(new URL(p, import.meta.url));
const source = JSON.parse(readFileSync(here('./presidio-small.src.json'), 'utf8')) as Array<[string, Array<[string, string]>]>;

const out: string[] = [];
for (const [text, spans] of source) {
  const located: Array<{ type: string; start: number; end: number }> = [];
  const cursor = new Map<string, number>();
  for (const [type, value] of spans) {
    const start = text.indexOf(value, cursor.get(value) ?? 0);
    if (start === -1) throw new Error(`value not in text: ${value}`);
    cursor.set(value, start + value.length);
    located.push({ type: MAP[type] ?? 'IGNORE', start, end: start + value.length });
  }
  located.sort((a, b) => a.start - b.start);
  const merged: typeof located = [];
  for (const s of located) {
    const last = merged[merged.length - 1];
    if (last !== undefined && last.type === 'ADDRESS' && s.type === 'ADDRESS' && /^[\s,]*$/.test(text.slice(last.end, s.start))) {
      last.end = s.end;
    } else merged.push({ ...s });
  }
  const entities = merged.filter((s) => s.type !== 'IGNORE').map((s) => ({ type: s.type, value: text.slice(s.start, s.end) }));
  const ignore = merged.filter((s) => s.type === 'IGNORE').map((s) => text.slice(s.start, s.end));
  out.push(JSON.stringify(ignore.length > 0 ? { text, entities, ignore } : { text, entities }));
}
writeFileSync(here('./presidio-small.jsonl'), `${out.join('\n')}\n`);
console.log(`${out.length} records`);
