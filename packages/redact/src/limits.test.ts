import { describe, expect, it } from 'vitest';
import { ADVERSARIAL, fill } from './adversarial.ts';
import { detectAddresses, detectEmail, detectPhones } from './detectors/contact.ts';
import { detectCards, detectIbans } from './detectors/financial.ts';
import { CUE_RULES, detectCued, detectSsn } from './detectors/ids.ts';
import { detectIps, detectMacs } from './detectors/network.ts';
import { detectSecrets } from './detectors/secrets.ts';
import { P, type Span } from './detectors/span.ts';
import { RedactionContext, redactText } from './index.ts';
import { detectNames } from './names.ts';
import { CHUNK_SIZE, findEntities, MAX_TEXT_LENGTH, oversizeMarker, redactionWork } from './redact.ts';

/**
 * Untrusted text must not be able to make redaction slow or make it throw: every
 * detector on adversarial input, long text scanned in chunks (entities on a chunk
 * boundary still found), and complexity asserted by counting work, never by timing.
 */

const MB = 1024 * 1024;

const DETECTORS: Record<string, (text: string, out: Span[]) => void> = {
  email: detectEmail,
  phone: detectPhones,
  address: detectAddresses,
  secret: (t, o) => detectSecrets(t, o, true),
  card: detectCards,
  iban: detectIbans,
  ip: detectIps,
  mac: detectMacs,
  ssn: detectSsn,
  ...Object.fromEntries(CUE_RULES.map((r) => [`cue ${r.type}`, (t: string, o: Span[]) => detectCued(r, t, o)])),
  person: detectNames,
};

describe('every detector on 2 MB of adversarial input returns', () => {
  for (const [name, make] of Object.entries(ADVERSARIAL)) {
    it(name, () => {
      const text = make(2 * MB);
      for (const [detector, detect] of Object.entries(DETECTORS)) {
        const out: Span[] = [];
        expect(() => detect(text, out), `${detector} on ${name}`).not.toThrow();
        // Bounded quantifiers bound every match (what chunking relies on); only the
        // entropy scan's runs are open-ended, and it runs over the whole text.
        const longest = out.reduce((max, s) => (s.priority === P.SECRET_ENTROPY ? max : Math.max(max, s.end - s.start)), 0);
        expect(longest, `${detector} span on ${name}`).toBeLessThanOrEqual(4000);
      }
    });
  }
});

describe('redactText on 6 MB token-like runs (used to overflow the regex stack)', () => {
  for (const name of ['A run', 'digit run', 'sk- + run', 'base64ish', '1-1-1', 'eyJ + run']) {
    it(name, () => {
      const text = (ADVERSARIAL[name] as (n: number) => string)(6_000_000);
      const out = redactText(text);
      expect(out).not.toBe('[redacted: redaction failed]');
      if (name === 'base64ish')
        expect(out).toBe('<SECRET_1>'); // one run of high entropy: one secret, whole
      else expect(out).toBe(text); // no entropy or a different shape: nothing to redact
    });
  }
});

describe('worst cases of 1 MB give the right spans', () => {
  it('"Mary\\n" repeated: every line is the same person', () => {
    const out = redactText(fill('Mary\n', MB));
    expect(out.split('\n').filter((l) => l !== '' && l !== '<PERSON_1>')).toEqual(['Mary'.slice(0, MB % 5)].filter(Boolean));
    expect(out.startsWith('<PERSON_1>\n<PERSON_1>\n')).toBe(true);
  });
  it('e-mails back to back', () => {
    const text = fill('ada@example.com ', MB);
    const ctx = new RedactionContext();
    const out = redactText(text, ctx);
    expect(out.slice(0, 20)).toBe('<EMAIL_1> <EMAIL_1> ');
    expect(out).not.toContain('@example.com');
  });
  it('near-miss e-mails find nothing and return', () => {
    const text = fill('a@a.', MB);
    expect(findEntities(text, { names: false }).length).toBe(0);
  });
});

describe('complexity, by counting work', () => {
  const work = (text: string) => {
    redactionWork.scannedChars = 0;
    redactionWork.overlapSteps = 0;
    findEntities(text);
    return { ...redactionWork };
  };
  it('doubling "Mary\\n" roughly doubles the overlap work (pairwise would quadruple it)', () => {
    const one = work(fill('Mary\n', 250_000));
    const two = work(fill('Mary\n', 500_000));
    expect(one.overlapSteps).toBeGreaterThan(0);
    const ratio = two.overlapSteps / one.overlapSteps;
    expect(ratio).toBeGreaterThan(1.8);
    expect(ratio).toBeLessThan(2.4);
  });
  it('long text is scanned about once: chunk context adds under 15%', () => {
    for (const n of [CHUNK_SIZE * 3 + 17, MB, 4 * MB]) {
      const w = work(fill('The quick brown fox met Ada at ada@example.com. ', n));
      expect(w.scannedChars).toBeGreaterThanOrEqual(n);
      expect(w.scannedChars).toBeLessThan(n * 1.15);
    }
  });
});

describe('chunk boundaries', () => {
  const prose = fill('The pipeline parsed the uploaded contract and stored it. ', 3 * CHUNK_SIZE);
  const CASES: Array<[string, string, string]> = [
    ['EMAIL', 'mail ', 'ada.lovelace+ops@example.co.uk'],
    ['PHONE', 'call ', '+1 (415) 555-2671'],
    ['PHONE', 'UK ', '020 7946 0958'],
    ['SSN', 'ssn ', '123-45-6789'],
    ['CREDIT_CARD', 'card ', '4111 1111 1111 1111'],
    ['IBAN', 'iban ', 'GB82 WEST 1234 5698 7654 32'],
    ['IP_ADDRESS', 'from ', '2001:db8::8a2e:370:7334'],
    ['MAC_ADDRESS', 'mac ', '00:1A:2B:3C:4D:5E'],
    ['DATE_OF_BIRTH', 'date of birth: ', '12 March 1985'],
    ['PASSPORT', 'passport number ', 'C01X00T47'],
    ['NATIONAL_ID', 'national insurance number ', 'QQ 12 34 56 C'],
    ['ADDRESS', 'ship to ', '221B Baker Street'],
    ['PERSON', 'ask ', 'Maria Garcia'],
    ['SECRET', 'key ', 'sk-proj-Abc123Def456Ghi789Jkl012Mno345'],
    ['SECRET', 'password: ', 'hunter2!x'],
    ['SECRET', 'jwt ', 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0In0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U'],
    ['SECRET', 'blob ', 'Zx9Kq2LmP4vR7tY1wB6nH3jF8sD5gA0cE2uI9oQ'],
  ];
  for (const [type, cue, value] of CASES) {
    it(`${type} (${cue.trim()}) across the boundary at every offset`, () => {
      const entity = `${cue}${value}`;
      // The boundary falls before, inside the cue, inside the value, and after it.
      for (let k = -2; k <= entity.length + 2; k++) {
        const at = CHUNK_SIZE - k;
        const text = `${prose.slice(0, at - 1)} ${entity} ${prose.slice(at + entity.length + 1)}`;
        const out = redactText(text);
        expect(out, `boundary ${k} characters into "${entity}"`).toContain(`${cue}<${type}_1> `);
        expect(out).not.toContain(value);
      }
    });
  }
  it('a high-entropy run longer than a chunk is one secret', () => {
    const token = fill('Zx9Kq2LmP4vR7tY1wB6nH3jF8sD5gA0cE2uI9oQ', CHUNK_SIZE * 2 + 5);
    expect(redactText(`token ${token} end`)).toBe('token <SECRET_1> end');
  });
  it('placeholders on a boundary are kept and their numbers reserved', () => {
    const at = CHUNK_SIZE - 4;
    const text = `${prose.slice(0, at - 1)} <EMAIL_1> then bob@example.com ${prose.slice(at + 40)}`;
    expect(redactText(text)).toContain('<EMAIL_1> then <EMAIL_2> ');
  });
});

describe('the hard ceiling', () => {
  it(`text over ${MAX_TEXT_LENGTH} characters is replaced whole, not scanned, and nothing throws`, () => {
    const text = `ada@example.com ${fill('x', MAX_TEXT_LENGTH)}`;
    expect(redactText(text)).toBe(oversizeMarker(text.length));
    expect(oversizeMarker(text.length)).toContain('over the 8 MiB redaction limit');
  });
  it('text at the ceiling is still redacted', () => {
    const text = `ada@example.com ${fill('x ', MAX_TEXT_LENGTH - 16)}`;
    expect(text.length).toBe(MAX_TEXT_LENGTH);
    expect(redactText(text).startsWith('<EMAIL_1> x x')).toBe(true);
  });
});
