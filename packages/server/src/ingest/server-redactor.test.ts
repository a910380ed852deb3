import { describe, expect, it } from 'vitest';
import { createServerRedactor, REDACTION_FAILED } from './server-redactor.ts';

/** The ingest redactor never throws (a throw fails the whole batch with a 500) and
 * never lets an unredacted value through when redaction fails. */
describe('server redactor', () => {
  const redactor = createServerRedactor();

  it('redacts worst-case text of 1 MB and a 6 MB token run without throwing', () => {
    const mary = 'Mary\n'.repeat(200_000);
    const r = redactor.trace({ input: { prompt: mary }, output: 'A'.repeat(6_000_000), rationale: `sk-${'a'.repeat(6_000_000)}` });
    expect((r.input as { prompt: string }).prompt.startsWith('<PERSON_1>\n<PERSON_1>\n')).toBe(true);
    expect(r.summary.PERSON).toBe(200_000);
    expect(r.output).toBe('A'.repeat(6_000_000));
    expect(redactor.text('mail ada@example.com')).toBe('mail <EMAIL_1>');
  });

  it('replaces a value it cannot walk, instead of throwing or storing it raw', () => {
    const hostile = {
      get note(): string {
        throw new Error('getter');
      },
    };
    Object.defineProperty(hostile, 'note', { enumerable: true });
    const r = redactor.trace({ input: hostile, output: 'ada@example.com', rationale: 'ok' });
    expect(r).toMatchObject({ input: REDACTION_FAILED, output: REDACTION_FAILED, rationale: REDACTION_FAILED });
    expect(redactor.value(hostile)).toBe(REDACTION_FAILED);
  });
});
