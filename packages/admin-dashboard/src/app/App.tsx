import { useEffect, useRef, useSyncExternalStore } from 'react';
import { useSession } from '../features/auth/api/get-session.ts';
import { ApiError, onUnauthorized } from '../lib/api-client.ts';
import { useLiveStream } from '../lib/live-stream.tsx';
import { PermissionsProvider } from '../lib/permissions.tsx';
import { navigate, useLocation } from '../lib/router.tsx';
import { getToken, setToken, subscribeToken } from '../lib/session-token.ts';
import { NotFound, resolveRoute } from './routes.tsx';
import { AppShell } from './shell/AppShell.tsx';

/**
 * Composes the dashboard: resolves the route, checks the session, keeps the shared
 * live stream pointed at the right tenant, and renders the page inside the shell.
 */
export function App() {
  const { pathname, search } = useLocation();
  const token = useSyncExternalStore(subscribeToken, getToken, () => null);
  const resolved = resolveRoute(pathname);
  const isPublic = resolved?.route.public ?? false;
  const session = useSession(token);
  const client = useLiveStream();
  const tenant = new URLSearchParams(search).get('tenant_id') ?? undefined;
  const signedOut = session.error instanceof ApiError && session.error.status === 401;

  // An expired or missing token: back to sign-in, then back here.
  useEffect(
    () =>
      onUnauthorized(() => {
        if (window.location.pathname === '/login') return;
        setToken(null);
        navigate(`/login?next=${encodeURIComponent(window.location.pathname + window.location.search)}`, { replace: true });
      }),
    [],
  );
  useEffect(() => {
    if (signedOut && !isPublic) navigate(`/login?next=${encodeURIComponent(pathname + search)}`, { replace: true });
  }, [signedOut, isPublic, pathname, search]);

  // The monitor opens the stream with its filters; every other page keeps it open
  // for the tenant only, so the connection state and alerts stay live everywhere.
  const ownsStream = resolved?.route.ownsStream ?? false;
  useEffect(() => {
    if (isPublic || signedOut) client.close();
    else if (session.data && !ownsStream) client.open(tenant ? { tenant_id: tenant } : {});
  }, [client, ownsStream, tenant, isPublic, signedOut, session.data]);

  // A new token must reach the stream too (EventSource sends it in the URL).
  const lastToken = useRef(token);
  useEffect(() => {
    if (lastToken.current === token) return;
    lastToken.current = token;
    if (client.getState().status !== 'idle') client.retry();
  }, [client, token]);

  const title = resolved?.route.title ?? 'Not found';
  useEffect(() => {
    document.title = `${title} · Frostbyte Model Observatory`;
  }, [title]);

  if (isPublic && resolved) return <AppShell session={undefined}>{resolved.route.render(resolved.params)}</AppShell>;
  if (session.isPending)
    return (
      <AppShell session={undefined}>
        <p role="status" className="page">
          Connecting to the observatory…
        </p>
      </AppShell>
    );
  return (
    <PermissionsProvider permissions={session.data?.permissions ?? []} tenants={session.data?.tenants ?? []}>
      <AppShell session={session.data} sessionError={signedOut ? null : session.error} onRetrySession={() => void session.refetch()}>
        {!session.data && !signedOut ? null : resolved ? resolved.route.render(resolved.params) : <NotFound />}
      </AppShell>
    </PermissionsProvider>
  );
}
