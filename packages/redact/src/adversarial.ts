/**
 * Inputs built to hit each detector's worst path, shared by the limits tests
 * (src/limits.test.ts, every detector on each) and the redaction bench
 * (bench/redaction.ts, the slowest of them against ordinary text): runs of the
 * characters each pattern accepts, near-miss repetitions (e-mails, phones, JWTs),
 * repeated name lines (overlap resolution), token-like runs (the entropy scan and
 * vendor-key regexes) and whitespace (cue windows).
 */

/** Repeats `unit` up to `length` characters. */
export const fill = (unit: string, length: number): string => unit.repeat(Math.ceil(length / unit.length)).slice(0, length);

/** Each builds an input of `n` characters. */
export const ADVERSARIAL: Record<string, (n: number) => string> = {
  'A run': (n) => fill('A', n),
  'a run': (n) => fill('a', n),
  'digit run': (n) => fill('4', n),
  'sk- + run': (n) => `sk-${fill('a', n - 3)}`,
  'ghp_ + run': (n) => `ghp_${fill('A1', n - 4)}`,
  'eyJ + run': (n) => `eyJ${fill('a', n - 3)}`,
  'near-miss JWT': (n) => fill('eyJaaaaa.eyJaaaaa.', n),
  base64ish: (n) => fill('Zx9Kq2LmP4vR7tY1wB6nH3jF8sD5gA0cE2uI9oQ+/=', n),
  'near-miss email': (n) => fill('a@a.', n),
  'dotted labels': (n) => `a@${fill('a.', n - 2)}`,
  '1-1-1': (n) => fill('1-', n),
  '1 1 1': (n) => fill('1 ', n),
  '1.1.1': (n) => fill('1.', n),
  '+1 +1': (n) => fill('+1 ', n),
  '0 trunk': (n) => fill('01 ', n),
  'hex colons': (n) => fill('ab:', n),
  colons: (n) => fill(':', n),
  'IBAN-ish': (n) => `GB82${fill(' A1', n - 4)}`,
  whitespace: (n) => fill(' ', n),
  'newlines + tabs': (n) => fill('\n\t', n),
  'Mary Mary': (n) => fill('Mary ', n),
  'Mary\\n': (n) => fill('Mary\n', n),
  'hyphenated word': (n) => `Ab${fill('-ab', n - 2)}`,
  'Titlecase word': (n) => `M${fill('a', n - 1)}`,
  'street words': (n) => `1 ${fill('Aaaa ', n - 2)}`,
  'Rue + word': (n) => `1 Rue A${fill('a', n - 7)}`,
  'strasse word': (n) => `A${fill('a', n - 1)}`,
  'cue + spaces': (n) => `passport${fill(' ', n - 8)}`,
  'date of + spaces': (n) => `date${fill(' ', n - 4)}`,
  'password= + run': (n) => `password=${fill('x', n - 9)}`,
  'ssn cue repeated': (n) => fill('ssn 1 ', n),
  '<EMAIL_ repeated': (n) => fill('<EMAIL_1', n),
  'token run': (n) => fill('A1', n),
  'Main words': (n) => fill('Main ', n),
  'lower-case words': (n) => fill('mary ', n),
  'digit groups': (n) => fill('12 345 ', n),
  'ext after digits': (n) => fill('555 0142 ext ', n),
  'calle words': (n) => `calle ${fill('de ', n - 6)}`,
  // The name pass's newer rules: lists of names, recurring name parts, clause
  // subjects, capitals and lower-case words beyond ASCII.
  'list of names': (n) => fill('Szöllösy, Kowalczyk and ', n),
  'recurring name': (n) => `Halvard Østerberg ${fill('Østerberg ', n - 18)}`,
  'clause subjects': (n) => fill('Ubul: Ngozika is ', n),
  'capital names': (n) => fill('JOHN SMITH ', n),
  'lower-case accents': (n) => fill('jiří dvořáček ', n),
  // The address blocks' anchors.
  'unit lines': (n) => fill('Apt. 1\n', n),
  'postcode lines': (n) => fill('Estonia 62488\n', n),
};
