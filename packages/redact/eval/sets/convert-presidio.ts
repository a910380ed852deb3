/**
 * Presidio-research sources → the eval format (JSONL: text, entities, ignore).
 *
 *   npx tsx packages/redact/eval/sets/convert-presidio.ts
 *
 * Two sources from microsoft/presidio-research (MIT licence), both made by its
 * data generator (Faker values in hand-written templates), neither looked at
 * when the detectors were built:
 * - presidio-small.src.json: the first 100 records of tests/data/generated_small.json,
 *   kept as [text, [[type, value]]].
 * - presidio-v2.src.jsonl: all 1,500 records of data/synth_dataset_v2.json, one
 *   [text, [[type, value, start, end]], template_id] per line (masked text and
 *   metadata dropped). Written out by hand from the published file; every span
 *   was checked against its text (value === text.slice(start, end)).
 *
 * Their types map to ours; ADDRESS parts that Presidio labels separately
 * ("23", "8 wressle road", "suite 771", a ZIP code) and that touch each other
 * across whitespace or commas are merged into one address; types we do not
 * detect (LOCATION/GPE, ORGANIZATION, DATE_TIME, DOMAIN_NAME, TITLE, AGE, NRP,
 * US_DRIVER_LICENSE) go to `ignore`: a prediction over them is neither a hit
 * nor a false alarm. v2 records keep their `template` id: the eval splits that
 * set by template, so the held-out half has sentences the tuning never saw.
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
  IBAN_CODE: 'IBAN',
  ADDRESS: 'ADDRESS',
  STREET_ADDRESS: 'ADDRESS',
  ZIP_CODE: 'ADDRESS',
};

type Source = [string, Array<[string, string, number?, number?]>, number?];
const here = (p: string): string => fileURLToPath(new URL(p, import.meta.url));

function convert(records: Source[]): string[] {
  return records.map(([text, spans, template]) => {
    const located: Array<{ type: string; start: number; end: number }> = [];
    const cursor = new Map<string, number>();
    for (const [type, value, at] of spans) {
      // Presidio's offsets count code points; ours count UTF-16 units, so
      // trust an offset only where it reads the value.
      const start = at !== undefined && text.startsWith(value, at) ? at : text.indexOf(value, cursor.get(value) ?? 0);
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
    // `start` is kept: a value can occur twice ("Antti Poutiainen … calls me Antti").
    const entities = merged
      .filter((s) => s.type !== 'IGNORE')
      .map((s) => ({ type: s.type, value: text.slice(s.start, s.end), start: s.start }));
    const ignore = merged.filter((s) => s.type === 'IGNORE').map((s) => text.slice(s.start, s.end));
    return JSON.stringify({ text, entities, ...(ignore.length > 0 ? { ignore } : {}), ...(template !== undefined ? { template } : {}) });
  });
}

const small = JSON.parse(readFileSync(here('./presidio-small.src.json'), 'utf8')) as Source[];
writeFileSync(here('./presidio-small.jsonl'), `${convert(small).join('\n')}\n`);
const v2 = readFileSync(here('./presidio-v2.src.jsonl'), 'utf8')
  .split('\n')
  .filter((l) => l.trim() !== '')
  .map((l) => JSON.parse(l) as Source);
writeFileSync(here('./presidio-v2.jsonl'), `${convert(v2).join('\n')}\n`);
console.log(`${small.length} + ${v2.length} records`);
