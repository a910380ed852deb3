/**
 * The purpose of access: why this person is reading traces right now ("DSAR 2026-114",
 * "incident 88"). Kept for the browser session like the token (sessionStorage: a new
 * tab or a new day asks again) and sent by `lib/api-client.ts` as `X-Access-Purpose`
 * on every API request, so the server's read audit (`trace.read`) records it.
 *
 * The server refuses (400) a purpose over 200 characters or with control characters;
 * an HTTP header can only carry Latin-1, so the field keeps to that too.
 */
const KEY = 'fmo.purpose';
export const MAX_PURPOSE_CHARS = 200;
const listeners = new Set<() => void>();

function storage(): Storage | null {
  try {
    return typeof sessionStorage === 'undefined' ? null : sessionStorage;
  } catch {
    return null;
  }
}

/** Why a purpose cannot be sent, or null when it can. */
export function purposeProblem(purpose: string): string | null {
  if (purpose.length > MAX_PURPOSE_CHARS) return `At most ${MAX_PURPOSE_CHARS} characters (this one has ${purpose.length}).`;
  // Printable Latin-1 only: what a header carries unchanged and the server accepts.
  if (!/^[\x20-\x7E\xA0-\xFF]*$/.test(purpose))
    return 'Use plain letters, digits and punctuation (no line breaks, no emoji or non-Latin script).';
  return null;
}

export function getPurpose(): string {
  return storage()?.getItem(KEY) ?? '';
}

/** Stores the purpose (trimmed; empty clears it). Throws nothing: an invalid one is refused with its problem. */
export function setPurpose(purpose: string): string | null {
  const p = purpose.trim();
  const problem = purposeProblem(p);
  if (problem) return problem;
  const s = storage();
  if (p) s?.setItem(KEY, p);
  else s?.removeItem(KEY);
  for (const l of listeners) l();
  return null;
}

export function subscribePurpose(listener: () => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}
