import { lazy, type ReactNode, Suspense } from 'react';
import { ModelActivityMonitor } from '../features/activity/ModelActivityMonitor.tsx';
import { AuditPage } from '../features/audit/AuditPage.tsx';
import { CostsPage } from '../features/costs/CostsPage.tsx';
import { LoginPage } from '../features/auth/LoginPage.tsx';
import { ProvenanceTimeline } from '../features/provenance/ProvenanceTimeline.tsx';
import { DecisionTracer } from '../features/trace/DecisionTracer.tsx';
import { matchPath } from '../lib/router.tsx';

// The schematic brings @xyflow/react (~150 kB): loaded when the page is first opened.
const PipelinePage = lazy(() => import('./pipeline-page.tsx').then((m) => ({ default: m.PipelinePage })));

/** One of the dashboard's pages. `public` routes render without a session;
 * `ownsStream` routes drive the shared stream themselves (the monitor sets its filters).
 * `nav` puts the page in the main navigation under `label`; `onlyWhenCurrent` shows it
 * there only while it is open (the tracer needs an event: one starts at the feed), and
 * `permission` only to users who have it (the server would refuse the page's calls). */
export interface RouteDef {
  path: string;
  /** Other paths showing the same page. */
  aliases?: readonly string[];
  title: string;
  render: (params: Record<string, string>) => ReactNode;
  public?: boolean;
  ownsStream?: boolean;
  nav?: { label: string; onlyWhenCurrent?: boolean; permission?: string };
}

/** The one list of the dashboard's paths: the router (`resolveRoute`) and the main
 * navigation (`shell/Nav.tsx`) both read it, in this order. */
export const ROUTES: readonly RouteDef[] = [
  {
    path: '/activity',
    aliases: ['/'],
    title: 'Model activity',
    render: () => <ModelActivityMonitor />,
    ownsStream: true,
    nav: { label: 'Activity' },
  },
  {
    path: '/trace/:eventId',
    title: 'Decision trace',
    render: (p) => <DecisionTracer key={p.eventId} eventId={p.eventId ?? ''} />,
    nav: { label: 'Tracer', onlyWhenCurrent: true },
  },
  { path: '/provenance', title: 'Provenance', render: () => <ProvenanceTimeline />, nav: { label: 'Provenance' } },
  {
    path: '/pipeline',
    title: 'Pipeline',
    render: () => (
      <Suspense
        fallback={
          <p role="status" className="page">
            Loading the pipeline…
          </p>
        }
      >
        <PipelinePage />
      </Suspense>
    ),
    nav: { label: 'Pipeline' },
  },
  { path: '/costs', title: 'Costs', render: () => <CostsPage />, nav: { label: 'Costs', permission: 'metrics:read' } },
  { path: '/audit', title: 'Audit', render: () => <AuditPage />, nav: { label: 'Audit', permission: 'audit:read' } },
  { path: '/login', title: 'Sign in', render: () => <LoginPage />, public: true },
];

export function resolveRoute(pathname: string): { route: RouteDef; params: Record<string, string> } | null {
  for (const route of ROUTES) {
    for (const path of [route.path, ...(route.aliases ?? [])]) {
      const params = matchPath(path, pathname);
      if (params) return { route, params };
    }
  }
  return null;
}

export function NotFound() {
  return (
    <div className="page">
      <h1>Page not found</h1>
      <p>
        There is no page at this address. <a href="/activity">Go to model activity</a>.
      </p>
    </div>
  );
}
