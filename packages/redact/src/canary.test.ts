import { describe, expect, it } from 'vitest';
import { RedactionContext, redactText, redactValue } from './index.ts';

/**
 * Property-style: embed canary values of every type in many generated
 * strings (random filler, punctuation, positions, separators) and check that
 * none survives, and that redacting again is a no-op. Seeded, so a failure
 * reproduces.
 */
let seed = 42;
function rand(): number {
  seed = (seed * 1103515245 + 12345) & 0x7fffffff;
  return seed / 0x7fffffff;
}
const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)] as T;

const CANARIES: readonly string[] = [
  'canary.bird@example.com',
  '+44 20 7946 0000',
  '+14155550100',
  '(415) 555-0100',
  '078-05-1120',
  '4111 1111 1111 1111',
  '5555-5555-5555-4444',
  'DE89 3704 0044 0532 0130 00',
  'GB82WEST12345698765432',
  '198.51.100.77',
  '2001:db8:85a3::8a2e:370:7334',
  'a4:5e:60:c2:11:9f',
  'sk_live_CanaryCanary0123456789',
  'ghp_CanaryCanaryCanaryCanaryCanary012345',
  'AKIAZZZZCANARY123456',
];
const CUED: ReadonlyArray<[string, string]> = [
  ['DOB: ', '1977-07-07'],
  ['passport no. ', 'K12345678'],
  ['SSN ', '078 05 1120'],
];
const FILLER = ['the', 'model', 'said', 'Report', 'v2.1.0', 'order 12345', 'at 10:30', '—', '(', ')', '"', ',', ';', 'ok.', 'Policy', '2024-05-01', '#42', '->', 'Total: 12.50'];
const SEPARATORS = [' ', '  ', '\n', '\t', ' (', ') ', ': ', ', ', ' "', '" ', ' [', '] '];

describe('no canary survives redaction', () => {
  it('over 2,000 generated strings', () => {
    const ctx = new RedactionContext();
    for (let i = 0; i < 2000; i++) {
      const parts: string[] = [];
      const planted: string[] = [];
      const n = 1 + Math.floor(rand() * 4);
      for (let k = 0; k < n; k++) {
        for (let f = Math.floor(rand() * 4); f > 0; f--) parts.push(pick(FILLER), pick(SEPARATORS));
        if (rand() < 0.2) {
          const [cue, v] = pick(CUED);
          parts.push(cue + v);
          planted.push(v);
        } else {
          const v = pick(CANARIES);
          parts.push(v);
          planted.push(v);
        }
        parts.push(pick(SEPARATORS));
      }
      const text = parts.join('');
      const once = redactText(text, ctx);
      for (const v of planted) {
        if (once.includes(v)) throw new Error(`canary ${JSON.stringify(v)} survived in ${JSON.stringify(once)} (from ${JSON.stringify(text)})`);
      }
      expect(redactText(once, ctx)).toBe(once);
    }
  });

  it('inside nested values', () => {
    const value = { msgs: CANARIES.map((c, i) => ({ role: i % 2 ? 'user' : 'assistant', content: `value: ${c}.` })) };
    const json = JSON.stringify(redactValue(value));
    for (const c of CANARIES) expect(json).not.toContain(c);
  });
});
