import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { formatLogLine, terminalLogStream } from './log-pretty.ts';
import { loggerOptions } from './log-redaction.ts';

/** The server's real pino options, writing into a terminal-like sink through the formatter. */
function terminal(env: Record<string, string | undefined> = {}, isTTY = true) {
  const lines: string[] = [];
  const sink = { isTTY, write: (s: string) => lines.push(s) };
  const { stream } = terminalLogStream(sink, env);
  const log = pino(loggerOptions('info'), stream ?? { write: (s: string) => void sink.write(s) });
  return { log, lines, pretty: stream !== undefined };
}

describe('the terminal log', () => {
  it('is one readable line per record on a TTY: time, level, message, key fields — and still redacted', () => {
    const { log, lines, pretty } = terminal({ NO_COLOR: '1' });
    expect(pretty).toBe(true);
    log.warn({ alert: 'a1', tenant: 'acme', rule: 'bottleneck', caller: { token: 'fmo_secret_value' } }, 'parse is the bottleneck');
    log.info({ req: { method: 'GET', url: '/v1/events' }, res: { statusCode: 200 }, responseTime: 12.4 }, 'request completed');
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(
      /^\d\d:\d\d:\d\d\.\d{3} {2}WARN {3}parse is the bottleneck {2}alert=a1 tenant=acme rule=bottleneck caller={"token":"\[redacted\]"}\n$/,
    );
    expect(lines.join('')).not.toContain('fmo_secret_value');
    expect(lines[1]).toMatch(/INFO {3}request completed {2}GET \/v1\/events {2}200 {2}12 ms\n$/);
    expect(lines.join('')).not.toContain('\x1b['); // NO_COLOR
  });

  it('shows an error with its code, and the stack only at error level', () => {
    const { log, lines } = terminal({ NO_COLOR: '1' });
    const err = Object.assign(new Error('invalid byte sequence'), { code: '22P05' });
    log.warn({ err }, 'retrying');
    log.error({ err }, 'write failed');
    expect(lines[0]).toMatch(/WARN {3}retrying {2}Error \[22P05\]: invalid byte sequence\n$/);
    expect(lines[0]?.split('\n')).toHaveLength(2);
    expect(lines[1]).toMatch(/ERROR {2}write failed {2}Error \[22P05\]: invalid byte sequence\n\s+at /);
  });

  it('stays JSON when stdout is not a terminal, unless FMO_LOG_FORMAT says otherwise', () => {
    const piped = terminal({}, false);
    expect(piped.pretty).toBe(false);
    piped.log.info({ tenant: 'acme' }, 'hello');
    expect(JSON.parse(piped.lines[0] as string)).toMatchObject({ level: 30, msg: 'hello', tenant: 'acme' });
    expect(terminal({ FMO_LOG_FORMAT: 'pretty' }, false).pretty).toBe(true);
    expect(terminal({ FMO_LOG_FORMAT: 'json' }, true).pretty).toBe(false);
    expect(terminal({}, true).pretty).toBe(true);
  });

  it('colours the level on a TTY, and passes a line that is not JSON through', () => {
    const { log, lines } = terminal({});
    log.error('boom');
    expect(lines[0]).toContain('\x1b[31mERROR');
    expect(formatLogLine('not json')).toBe('not json\n');
  });
});
