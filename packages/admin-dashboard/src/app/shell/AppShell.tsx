import { type ReactNode, useEffect, useRef } from 'react';
import { AccessPurposeField } from '../../components/AccessPurposeField.tsx';
import { ErrorBanner } from '../../components/ErrorBanner.tsx';
import { AlertsArea } from '../../features/alerts/components/AlertsArea.tsx';
import type { Session } from '../../features/auth/api/get-session.ts';
import { usePermission } from '../../lib/permissions.tsx';
import { useLocation } from '../../lib/router.tsx';
import { ConnectionBadge } from './ConnectionBadge.tsx';
import { Nav } from './Nav.tsx';
import { TenantSwitcher } from './TenantSwitcher.tsx';
import { ThemeToggle } from './ThemeToggle.tsx';
import { UserMenu } from './UserMenu.tsx';

interface Props {
  session: Session | undefined;
  sessionError?: unknown;
  onRetrySession?: () => void;
  children: ReactNode;
}

/** Header (navigation, tenant, connection, theme, user), alerts, then the page. */
export function AppShell({ session, sessionError, onRetrySession, children }: Props) {
  const { pathname } = useLocation();
  const main = useRef<HTMLElement>(null);
  const first = useRef(true);
  // Only reads that decrypt payloads are audited: the purpose field is for those who can.
  const readsPayloads = usePermission('payloads:read');

  // On navigation, move focus to the new page so keyboard and screen-reader users
  // start there (a client-side route change does not do it by itself).
  // biome-ignore lint/correctness/useExhaustiveDependencies: runs on path change only
  useEffect(() => {
    if (first.current) {
      first.current = false;
      return;
    }
    main.current?.focus({ preventScroll: false });
  }, [pathname]);

  return (
    <div className="app">
      <a href="#main" className="skip-link">
        Skip to main content
      </a>
      <header className="app-header">
        <a href="/activity" className="brand" aria-label="Frostbyte Model Observatory, home">
          <span aria-hidden="true">❄</span> Frostbyte Observatory
        </a>
        {session && <Nav />}
        <span className="spacer" />
        {session && readsPayloads && <AccessPurposeField />}
        {session && <TenantSwitcher tenants={session.tenants} />}
        {session && <ConnectionBadge />}
        <ThemeToggle />
        {session && <UserMenu session={session} />}
      </header>
      {sessionError ? <ErrorBanner title="Could not reach the observatory" error={sessionError} onRetry={onRetrySession} /> : null}
      {session && <AlertsArea />}
      <main id="main" ref={main} tabIndex={-1}>
        {children}
      </main>
    </div>
  );
}
