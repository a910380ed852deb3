import { createHash } from 'node:crypto';

/**
 * A UUID derived from a name (RFC 9562 version 8 layout): the same parts always give
 * the same id. Used where two processes, or a client re-sending, must produce the same
 * row — an OTLP span's events, the `abandoned` event of an invocation — so the
 * database's primary key makes the repeat a no-op.
 */
export function stableUuid(...parts: string[]): string {
  const h = createHash('sha256').update(parts.join('/')).digest();
  h[6] = ((h[6] as number) & 0x0f) | 0x80;
  h[8] = ((h[8] as number) & 0x3f) | 0x80;
  const x = h.subarray(0, 16).toString('hex');
  return `${x.slice(0, 8)}-${x.slice(8, 12)}-${x.slice(12, 16)}-${x.slice(16, 20)}-${x.slice(20, 32)}`;
}
