/**
 * Server order of events: the bus position `<ms>-<n>` that is also the SSE `id:`.
 * Compared as two numbers, never as strings ("9-0" < "10-0").
 */
export function compareSeq(a: string, b: string): number {
  const ia = a.indexOf('-');
  const ib = b.indexOf('-');
  const ma = Number(ia < 0 ? a : a.slice(0, ia));
  const mb = Number(ib < 0 ? b : b.slice(0, ib));
  if (ma !== mb) return ma < mb ? -1 : 1;
  const na = ia < 0 ? 0 : Number(a.slice(ia + 1));
  const nb = ib < 0 ? 0 : Number(b.slice(ib + 1));
  return na === nb ? 0 : na < nb ? -1 : 1;
}

export const maxSeq = (a: string | null, b: string | null): string | null =>
  a === null ? b : b === null ? a : compareSeq(a, b) >= 0 ? a : b;
