/** Option parsing shared by the commands; a UsageError makes the CLI print the usage and exit 2. */
export class UsageError extends Error {}

/** `60s`, `2m`, `500ms`, `1h`, or a bare number of seconds. */
export function parseDuration(text: string): number {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/.exec(text.trim());
  if (!m) throw new UsageError(`--duration '${text}' is not a duration; write e.g. 60s, 2m or 500ms`);
  const n = Number(m[1]);
  const unit = m[2] ?? 's';
  return n * (unit === 'ms' ? 1 : unit === 's' ? 1000 : unit === 'm' ? 60_000 : 3_600_000);
}

export function intOption(text: string | undefined, fallback: number, name: string, min = 1): number {
  if (text === undefined) return fallback;
  const n = Number(text);
  if (!Number.isInteger(n) || n < min) throw new UsageError(`${name} must be an integer ≥ ${min}, got '${text}'`);
  return n;
}
