import { describe, expect, it } from 'vitest';
import { compileRules, RecognizerError, RedactionContext, redactText } from './index.ts';

const EMP = compileRules({ recognizers: [{ name: 'employee-id', pattern: 'EMP-[0-9]{6}' }] });

describe('user recognizers', () => {
  it('redact a pattern as CUSTOM and count it by recognizer', () => {
    const ctx = new RedactionContext();
    expect(redactText('ticket from EMP-123456 and EMP-123456 again', ctx, { rules: EMP })).toBe(
      'ticket from <CUSTOM_1> and <CUSTOM_1> again',
    );
    expect(ctx.summary()).toEqual({ CUSTOM: 2 });
    expect(ctx.recognizerSummary()).toEqual({ 'employee-id': 2 });
  });

  it('leave the text alone without the rules', () => {
    expect(redactText('ticket from EMP-123456')).toBe('ticket from EMP-123456');
  });

  it('are idempotent: the placeholder is not matched again', () => {
    const once = redactText('EMP-123456', new RedactionContext(), { rules: EMP });
    expect(redactText(once, new RedactionContext(), { rules: EMP })).toBe(once);
  });

  it('win over a built-in detector on the same characters', () => {
    const rules = compileRules({ recognizers: [{ name: 'acct', pattern: 'ACCT [0-9]{3} [0-9]{3} [0-9]{4}', entity: 'NATIONAL_ID' }] });
    expect(redactText('ACCT 415 555 2671', new RedactionContext(), { rules })).toBe('<NATIONAL_ID_1>');
  });

  it('need a context word when they name some', () => {
    const rules = compileRules({ recognizers: [{ name: 'badge', pattern: '[0-9]{5}', context: ['badge'], context_window: 20 }] });
    expect(redactText('badge no. 12345', new RedactionContext(), { rules })).toBe('badge no. <CUSTOM_1>');
    expect(redactText('order 12345', new RedactionContext(), { rules })).toBe('order 12345');
  });

  it('apply the checksum they name', () => {
    const rules = compileRules({ recognizers: [{ name: 'loyalty', pattern: 'L[0-9]{8}', checksum: 'luhn' }] });
    // 79927398 passes Luhn, 79927391 does not.
    expect(redactText('L79927398 L79927391', new RedactionContext(), { rules })).toBe('<CUSTOM_1> L79927391');
  });

  it('refuse back-references, look-arounds, empty matches and bad fields by name', () => {
    const bad = (spec: Parameters<typeof compileRules>[0]): string => {
      try {
        compileRules(spec);
      } catch (e) {
        expect(e).toBeInstanceOf(RecognizerError);
        return `${(e as RecognizerError).field}: ${(e as Error).message}`;
      }
      return 'accepted';
    };
    expect(bad({ recognizers: [{ name: 'x', pattern: '(a)\\1' }] })).toMatch(/^recognizers\[0\]\.pattern: .*RE2/);
    expect(bad({ recognizers: [{ name: 'x', pattern: '(?=a)b' }] })).toMatch(/^recognizers\[0\]\.pattern/);
    expect(bad({ recognizers: [{ name: 'x', pattern: 'a*' }] })).toMatch(/empty string/);
    expect(bad({ recognizers: [{ name: 'no spaces', pattern: 'a' }] })).toMatch(/^recognizers\[0\]\.name/);
    expect(bad({ recognizers: [{ name: 'x', pattern: 'a', checksum: 'md5' as 'luhn' }] })).toMatch(/checksum/);
    expect(bad({ allow: [' '] })).toMatch(/^allow\[0\]/);
  });

  it('stay linear on a pattern that backtracks exponentially in a backtracking engine', () => {
    const rules = compileRules({
      recognizers: [
        { name: 'evil', pattern: '(a+)+$b' },
        { name: 'evil2', pattern: '(a|aa)+c' },
      ],
    });
    const text = 'a'.repeat(200_000);
    const t0 = performance.now();
    expect(redactText(text, new RedactionContext(), { rules })).toBe(text);
    // A backtracking engine does not finish (a|aa)+c on 30 characters in a minute.
    expect(performance.now() - t0).toBeLessThan(10_000);
  });
});

describe('allow-list terms', () => {
  it('are never redacted, whichever detector finds them', () => {
    const rules = compileRules({ allow: ['Grace Hopper', 'support@acme.io'] });
    const text = 'Grace Hopper wrote to support@acme.io and ada@example.com';
    expect(redactText(text)).toBe('<PERSON_1> wrote to <EMAIL_1> and <EMAIL_2>');
    expect(redactText(text, new RedactionContext(), { rules })).toBe('Grace Hopper wrote to support@acme.io and <EMAIL_1>');
  });
});
