import { describe, expect, it } from 'vitest';
import { ibanValid, luhnValid, shannonEntropy } from './checksums.ts';

describe('luhnValid', () => {
  it('accepts published test card numbers', () => {
    for (const n of ['4111111111111111', '5555555555554444', '378282246310005', '6011111111111117', '2223003122003222']) {
      expect(luhnValid(n)).toBe(true);
    }
  });
  it('rejects a single changed digit and non-digits', () => {
    expect(luhnValid('4111111111111112')).toBe(false);
    expect(luhnValid('4111-1111')).toBe(false);
    expect(luhnValid('')).toBe(false);
  });
});

describe('ibanValid', () => {
  it('accepts registry examples', () => {
    for (const n of ['DE89370400440532013000', 'GB82WEST12345698765432', 'FR1420041010050500013M02606', 'NL91ABNA0417164300']) {
      expect(ibanValid(n)).toBe(true);
    }
  });
  it('rejects a bad check digit, a wrong length and an unknown country', () => {
    expect(ibanValid('DE89370400440532013001')).toBe(false);
    expect(ibanValid('DE8937040044053201300')).toBe(false);
    expect(ibanValid('ZZ89370400440532013000')).toBe(false);
  });
});

describe('shannonEntropy', () => {
  it('is 0 for one repeated char and log2(n) for n distinct chars', () => {
    expect(shannonEntropy('aaaa')).toBe(0);
    expect(shannonEntropy('abcd')).toBeCloseTo(2);
  });
});
