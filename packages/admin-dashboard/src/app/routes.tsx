import { lazy, type ReactNode, Suspense } from 'react';
import { LoginPage } from '../features/auth/LoginPage.tsx';
import { DecisionTracer } from '../features/observability/DecisionTracer.tsx';
import { ModelActivityMonitor } from '../features/observability/ModelActivityMonitor.tsx';
import { ProvenanceTimeline } from '../features/observability/ProvenanceTimeline.tsx';
import { matchPath } from '../lib/router.tsx';

// The schematic brings @xyflow/react (~150 kB): loaded when the page is first opened.
const EnhancedPipelineSchematic = lazy(() =>
  import('../features/pipeline/EnhancedPipelineSchematic.tsx').then((m) => ({ default: m.EnhancedPipelineSchematic })),
);

/** The dashboard's paths. `public` routes render without a session. `live` routes
 * drive the shared stream themselves (the monitor sets its filters). */
interface RouteDef {
  path: string;
  title: string;
  render: (params: Record<string, string>) => ReactNode;
  public?: boolean;
  ownsStream?: boolean;
}

export const ROUTES: readonly RouteDef[] = [
  { path: '/', title: 'Model activity', render: () => <ModelActivityMonitor />, ownsStream: true },
  { path: '/activity', title: 'Model activity', render: () => <ModelActivityMonitor />, ownsStream: true },
  { path: '/trace/:eventId', title: 'Decision trace', render: (p) => <DecisionTracer key={p.eventId} eventId={p.eventId ?? ''} /> },
  { path: '/provenance', title: 'Provenance', render: () => <ProvenanceTimeline /> },
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
        <EnhancedPipelineSchematic />
      </Suspense>
    ),
  },
  { path: '/login', title: 'Sign in', render: () => <LoginPage />, public: true },
];

export function resolveRoute(pathname: string): { route: RouteDef; params: Record<string, string> } | null {
  for (const route of ROUTES) {
    const params = matchPath(route.path, pathname);
    if (params) return { route, params };
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
