import { type AnchorHTMLAttributes, type MouseEvent, useSyncExternalStore } from 'react';

/**
 * A small router on the History API: the dashboard has six paths and needs no more.
 * `useLocation` re-renders on pushState/replaceState/popstate; `matchPath` turns
 * `/trace/:eventId` patterns into params.
 *
 *   const { pathname } = useLocation();
 *   const params = matchPath('/trace/:eventId', pathname); // { eventId: '…' } | null
 */
export interface AppLocation {
  pathname: string;
  search: string;
}

const listeners = new Set<() => void>();
let snapshot: AppLocation = read();

function read(): AppLocation {
  return { pathname: window.location.pathname, search: window.location.search };
}

function notify(): void {
  const next = read();
  if (next.pathname === snapshot.pathname && next.search === snapshot.search) return;
  snapshot = next;
  for (const l of listeners) l();
}

if (typeof window !== 'undefined') window.addEventListener('popstate', notify);

function subscribe(listener: () => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

export function useLocation(): AppLocation {
  return useSyncExternalStore(subscribe, () => snapshot);
}

export function navigate(to: string, opts: { replace?: boolean } = {}): void {
  const url = new URL(to, window.location.href);
  const path = url.pathname + url.search + url.hash;
  if (opts.replace) window.history.replaceState(null, '', path);
  else window.history.pushState(null, '', path);
  notify();
}

export function matchPath(pattern: string, pathname: string): Record<string, string> | null {
  const p = pattern.split('/').filter(Boolean);
  const a = pathname.split('/').filter(Boolean);
  if (p.length !== a.length) return null;
  const params: Record<string, string> = {};
  for (let i = 0; i < p.length; i++) {
    const seg = p[i] as string;
    const val = a[i] as string;
    if (seg.startsWith(':')) params[seg.slice(1)] = decodeURIComponent(val);
    else if (seg !== val) return null;
  }
  return params;
}

/** The tenant scope (`tenant_id`) belongs to the whole app, not one page: internal
 * links carry it along unless they set it themselves. */
export function withScope(href: string, search = window.location.search): string {
  const tenant = new URLSearchParams(search).get('tenant_id');
  if (!tenant || !href.startsWith('/')) return href;
  const url = new URL(href, 'http://x');
  if (url.searchParams.has('tenant_id')) return href;
  url.searchParams.set('tenant_id', tenant);
  return url.pathname + url.search + url.hash;
}

/** An anchor that navigates without reloading; modified clicks open a new tab as usual. */
export function Link({ href: to, onClick, ...rest }: AnchorHTMLAttributes<HTMLAnchorElement> & { href: string }) {
  useLocation(); // re-render when the scope changes
  const href = withScope(to);
  const handle = (e: MouseEvent<HTMLAnchorElement>) => {
    onClick?.(e);
    if (e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
    if (rest.target && rest.target !== '_self') return;
    e.preventDefault();
    navigate(href);
  };
  return <a href={href} onClick={handle} {...rest} />;
}
