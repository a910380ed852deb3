import { Writable } from 'node:stream';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { loggerOptions } from './log-redaction.ts';

/** One log line through the server's real pino options, parsed back. */
function logged(fields: Record<string, unknown>) {
  const lines: string[] = [];
  const sink = new Writable({
    write(chunk, _enc, done) {
      lines.push(chunk.toString());
      done();
    },
  });
  pino(loggerOptions('info'), sink).error(fields, 'probe');
  return JSON.parse(lines[0] as string);
}

describe('log redaction rules', () => {
  it("keeps PostgreSQL's SQLSTATE visible (err.code) and hides the SQL parameters", () => {
    const line = logged({ err: { code: '22P05', message: 'unsupported Unicode escape sequence', params: ['doc-123', '{"ssn":"x"}'], detail: 'row data' } });
    expect(line.err.code).toBe('22P05');
    expect(line.err.message).toContain('Unicode');
    expect(line.err.params).toBe('[redacted]');
    expect(line.err.detail).toBe('[redacted]');
  });

  it('hides credentials, login codes and payload fields', () => {
    const line = logged({
      // `req` goes through the request serializer (method and path only); these are the
      // shapes a handler's own log call could pass by mistake.
      headers: { authorization: 'Bearer secret-token' },
      body: { code: 'login-code' },
      query: { code: 'login-code', access_token: 'query-token' },
      user: { token: 'jwt', key: 'fmo_ik_x', password: 'p', secret: 's' },
      event: { input: 'pii', output: 'pii', decision_rationale: 'pii', metadata: { a: 1 }, trace: { t: 1 } },
      code: 'login-code',
    });
    const text = JSON.stringify(line);
    for (const secret of ['secret-token', 'query-token', 'login-code', 'jwt', 'fmo_ik_x', '"p"', '"s"', 'pii']) expect(text).not.toContain(secret);
    expect(line.event.metadata).toBe('[redacted]');
  });
});
