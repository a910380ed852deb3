import { describe, expect, it } from 'vitest';
import { isPlaceholder, PLACEHOLDER_RE, RedactionContext, redactText } from './index.ts';
import { nameLexiconSize } from './names.ts';
import type { EntityType } from './placeholder.ts';

/** Each row: a value of one type inside a sentence, and the type expected. */
const POSITIVES: Array<[EntityType, string, string]> = [
  ['EMAIL', 'mail ', 'ada.lovelace+ops@example.co.uk'],
  ['PHONE', 'call ', '+1 (415) 555-2671'],
  ['PHONE', 'E.164 ', '+14155552671'],
  ['PHONE', 'UK ', '020 7946 0958'],
  ['PHONE', 'US ', '415-555-2671'],
  ['SSN', 'ssn ', '123-45-6789'],
  ['CREDIT_CARD', 'card ', '4111 1111 1111 1111'],
  ['CREDIT_CARD', 'amex ', '378282246310005'],
  ['IBAN', 'iban ', 'GB82 WEST 1234 5698 7654 32'],
  ['IP_ADDRESS', 'from ', '203.0.113.42'],
  ['IP_ADDRESS', 'from ', '2001:db8::8a2e:370:7334'],
  ['MAC_ADDRESS', 'mac ', '00:1A:2B:3C:4D:5E'],
  ['DATE_OF_BIRTH', 'DOB: ', '1985-03-12'],
  ['DATE_OF_BIRTH', 'born on ', '12 March 1985'],
  ['PASSPORT', 'passport number ', 'C01X00T47'],
  ['NATIONAL_ID', 'national insurance number ', 'QQ 12 34 56 C'],
  ['ADDRESS', 'ship to ', '221B Baker Street'],
  ['PERSON', 'ask ', 'Maria Garcia'],
  ['PERSON', 'Dr. ', 'Okafor'],
  ['SECRET', 'key ', 'sk-proj-Abc123Def456Ghi789Jkl012Mno345'],
  ['SECRET', 'key ', 'ghp_ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789'],
  ['SECRET', 'key ', 'AKIAIOSFODNN7EXAMPLE'],
  ['SECRET', 'jwt ', 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0In0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U'],
  ['SECRET', 'blob ', 'Zx9Kq2LmP4vR7tY1wB6nH3jF8sD5gA0cE2uI9oQ'],
];

describe('redactText detects each type', () => {
  for (const [type, prefix, value] of POSITIVES) {
    it(`${type}: ${value}`, () => {
      const out = redactText(`${prefix}${value} end.`);
      expect(out).toBe(`${prefix}<${type}_1> end.`);
    });
  }
});

describe('redactText leaves look-alikes alone', () => {
  const negatives = [
    'card 4111 1111 1111 1112 failed the checksum',
    'iban GB82 WEST 1234 5698 7654 33 has a bad check',
    'order 1234567890123456 shipped',
    'ISBN 978-0-306-40615-7 and 0-306-40615-2',
    'upgrade to version 1.2.3.4 on 2024-01-15',
    'he served 1957-1960 and again 2002 - 2005',
    'trace 4bf92f3577b34da6a3ce929d0e0e4736 span 00f067aa0ba902b7',
    'uuid 123e4567-e89b-12d3-a456-426614174000',
    'The Model Registry flagged Policy Engine for Review.',
    'std::vector at 12:30:45',
    'passport is required; national ID renewals resume soon',
  ];
  for (const text of negatives) {
    it(text, () => expect(redactText(text)).toBe(text));
  }
});

describe('RedactionContext', () => {
  it('gives the same value the same placeholder within a context', () => {
    const ctx = new RedactionContext();
    const a = redactText('from ada@example.com to bob@example.com', ctx);
    const b = redactText('reply to ADA@example.com please', ctx);
    expect(a).toBe('from <EMAIL_1> to <EMAIL_2>');
    expect(b).toBe('reply to <EMAIL_1> please');
    expect(ctx.summary()).toEqual({ EMAIL: 3 });
  });
  it('numbers contexts independently', () => {
    const one = new RedactionContext();
    const two = new RedactionContext();
    redactText('x@example.com', one);
    expect(redactText('y@example.com', two)).toBe('<EMAIL_1>');
    expect(redactText('y@example.com', one)).toBe('<EMAIL_2>');
  });
  it('skips numbers already used by placeholders in the text', () => {
    const ctx = new RedactionContext();
    expect(redactText('sdk said <EMAIL_1>, server found z@example.com', ctx)).toBe('sdk said <EMAIL_1>, server found <EMAIL_2>');
  });
  it('summary is a copy', () => {
    const ctx = new RedactionContext();
    redactText('a@example.com', ctx);
    const s = ctx.summary();
    s.EMAIL = 99;
    expect(ctx.summary()).toEqual({ EMAIL: 1 });
  });
});

describe('options', () => {
  it('types restricts detection', () => {
    expect(redactText('a@example.com 203.0.113.9', undefined, { types: ['EMAIL'] })).toBe('<EMAIL_1> 203.0.113.9');
  });
  it('names: false skips the name pass', () => {
    expect(redactText('ask Maria Garcia', undefined, { names: false })).toBe('ask Maria Garcia');
  });
});

describe('idempotence', () => {
  it('re-redacting output changes nothing', () => {
    const text = 'Maria Garcia <maria@example.com>, +44 20 7946 0958, card 4111-1111-1111-1111, sk_live_AbCdEf0123456789XyZw';
    const once = redactText(text);
    expect(redactText(once)).toBe(once);
    expect(redactText(once, new RedactionContext())).toBe(once);
  });
});

describe('placeholders', () => {
  it('isPlaceholder matches exactly one placeholder', () => {
    expect(isPlaceholder('<CREDIT_CARD_12>')).toBe(true);
    expect(isPlaceholder('<EMAIL_0>')).toBe(false);
    expect(isPlaceholder('x <EMAIL_1>')).toBe(false);
    expect(isPlaceholder('<FOO_1>')).toBe(false);
  });
  it('PLACEHOLDER_RE finds all placeholders in a string', () => {
    expect([...'a <PERSON_1> b <SECRET_2>'.matchAll(PLACEHOLDER_RE)].map((m) => m[0])).toEqual(['<PERSON_1>', '<SECRET_2>']);
  });
});

describe('names lexicon', () => {
  it('is loaded from compromise', () => {
    const size = nameLexiconSize();
    expect(size.first).toBeGreaterThan(2000);
    expect(size.last).toBeGreaterThan(500);
  });
});
