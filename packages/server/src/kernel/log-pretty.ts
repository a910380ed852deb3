/**
 * The server log for a person at a terminal: one line per record — time, level,
 * message and the few fields that say what it was about (request, status, duration,
 * tenant, alert, error) — instead of pino's JSON. Only on a TTY: piped, redirected or
 * under a test runner stdout stays JSON, which is what log collectors parse.
 * `FMO_LOG_FORMAT=json|pretty` overrides the guess either way.
 *
 * It formats what pino already serialised and redacted (kernel/log-redaction.ts runs
 * before the stream sees a byte), so it cannot reveal anything the JSON would not.
 * Hand-written rather than pino-pretty: a dozen lines of formatting do not need a
 * dependency tree (and pino-pretty's transport thread) in every install.
 */

const LEVELS: Record<number, { name: string; color: string }> = {
  10: { name: 'TRACE', color: '90' },
  20: { name: 'DEBUG', color: '36' },
  30: { name: 'INFO', color: '32' },
  40: { name: 'WARN', color: '33' },
  50: { name: 'ERROR', color: '31' },
  60: { name: 'FATAL', color: '35' },
};

/** Fields pino adds to every line, or that the line already shows. */
const SKIP = new Set(['level', 'time', 'msg', 'pid', 'hostname', 'v', 'req', 'res', 'responseTime', 'err', 'reqId']);

export interface LogSink {
  write(text: string): unknown;
  isTTY?: boolean;
}

/** `{ stream }` for pino/Fastify's logger options when the log should be human-readable, else `{}`. */
export function terminalLogStream(out: LogSink, env: Record<string, string | undefined>): { stream?: { write(line: string): void } } {
  const format = env.FMO_LOG_FORMAT?.toLowerCase();
  const pretty = format === 'pretty' || (format !== 'json' && out.isTTY === true);
  if (!pretty) return {};
  const color = out.isTTY === true && !env.NO_COLOR;
  return { stream: { write: (line: string) => void out.write(formatLogLine(line, color)) } };
}

/** One pino JSON line as text (with its newline). A line that is not JSON passes through. */
export function formatLogLine(line: string, color = false): string {
  let r: Record<string, unknown>;
  try {
    r = JSON.parse(line) as Record<string, unknown>;
  } catch {
    return line.endsWith('\n') ? line : `${line}\n`;
  }
  const paint = (code: string, s: string) => (color ? `\x1b[${code}m${s}\x1b[0m` : s);
  const level = LEVELS[Number(r.level)] ?? { name: String(r.level ?? '?').toUpperCase(), color: '0' };
  const time = typeof r.time === 'number' ? new Date(r.time).toISOString().slice(11, 23) : '';
  const parts: string[] = [paint('90', time), paint(level.color, level.name.padEnd(5)), String(r.msg ?? '')];

  const req = r.req as { method?: string; url?: string } | undefined;
  const res = r.res as { statusCode?: number } | undefined;
  if (req?.method) parts.push(paint('36', `${req.method} ${req.url ?? ''}`));
  if (res?.statusCode !== undefined)
    parts.push(paint(res.statusCode >= 500 ? '31' : res.statusCode >= 400 ? '33' : '0', String(res.statusCode)));
  if (typeof r.responseTime === 'number') parts.push(`${Math.round(r.responseTime)} ms`);
  const fields = Object.entries(r)
    .filter(([k, v]) => !SKIP.has(k) && v !== undefined)
    .map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`);
  if (fields.length) parts.push(paint('90', fields.join(' ')));

  let text = parts.filter((p) => p !== '').join('  ');
  const err = r.err as { type?: string; message?: string; code?: string; stack?: string } | undefined;
  if (err) {
    text += `  ${paint('31', `${err.type ?? 'Error'}${err.code ? ` [${err.code}]` : ''}: ${err.message ?? ''}`)}`;
    // The stack only where someone has to act on it: errors, not warnings.
    if (Number(r.level) >= 50 && err.stack) text += `\n${paint('90', err.stack.split('\n').slice(1).join('\n'))}`;
  }
  return `${text}\n`;
}
