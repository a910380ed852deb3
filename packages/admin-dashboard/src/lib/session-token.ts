/**
 * The user's bearer token lives in sessionStorage: it survives reloads of this tab
 * but not the browser session, and other tabs must sign in themselves.
 * EventSource and WebSocket cannot set headers, so they send it as `access_token`.
 */
const KEY = 'fmo.token';
const listeners = new Set<() => void>();

function storage(): Storage | null {
  try {
    return typeof sessionStorage === 'undefined' ? null : sessionStorage;
  } catch {
    return null; // storage disabled (privacy mode): the app still runs unauthenticated
  }
}

export function getToken(): string | null {
  return storage()?.getItem(KEY) ?? null;
}

export function setToken(token: string | null): void {
  const s = storage();
  if (token) s?.setItem(KEY, token);
  else s?.removeItem(KEY);
  for (const l of listeners) l();
}

export function subscribeToken(listener: () => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}
