/**
 * Server order. Every accepted event gets a position on the bus: Redis Streams ids
 * (`<ms>-<n>`) or the memory bus's ids in the same shape. The SSE `id:` is this
 * string; the database stores it as one bigint, ms << 20 | n, so that `seq > x` works
 * in SQL and both buses produce comparable positions.
 */
const SHIFT = 1_048_576n; // 2^20 entries per millisecond is far beyond any rate we take
const SEQ_RE = /^(\d{1,15})-(\d{1,7})$/;

export type Seq = string;

export function parseSeq(s: string): bigint | null {
  const m = SEQ_RE.exec(s);
  if (!m) return null;
  const n = BigInt(m[2] as string);
  if (n >= SHIFT) return null;
  return BigInt(m[1] as string) * SHIFT + n;
}

export function seqToString(v: bigint): Seq {
  return `${v / SHIFT}-${v % SHIFT}`;
}

export function seqToBigint(s: Seq): bigint {
  const v = parseSeq(s);
  if (v === null) throw new Error(`not a stream position: ${s}`);
  return v;
}

export const compareSeq = (a: Seq, b: Seq): number => {
  const x = seqToBigint(a);
  const y = seqToBigint(b);
  return x < y ? -1 : x > y ? 1 : 0;
};
