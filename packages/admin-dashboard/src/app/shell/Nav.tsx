import { usePermission } from '../../lib/permissions.tsx';
import { Link, useLocation } from '../../lib/router.tsx';
import { ROUTES, resolveRoute } from '../routes.tsx';

/** Primary navigation, read from the route list (`nav` entries, in their order); the
 * tenant in the URL travels with every link. */
export function Nav() {
  const { pathname, search } = useLocation();
  const tenant = new URLSearchParams(search).get('tenant_id');
  const suffix = tenant ? `?tenant_id=${encodeURIComponent(tenant)}` : '';
  const open = resolveRoute(pathname)?.route;
  return (
    <nav aria-label="Main" className="main-nav">
      <ul>
        {ROUTES.map((route) => {
          if (!route.nav) return null;
          const current = route === open;
          // A page that needs a parameter (the tracer) is listed only while it is open, linking to itself.
          if (route.nav.onlyWhenCurrent && !current) return null;
          const href = route.nav.onlyWhenCurrent ? pathname + search : `${route.path}${suffix}`;
          return <NavItem key={route.path} href={href} label={route.nav.label} current={current} permission={route.nav.permission} />;
        })}
      </ul>
    </nav>
  );
}

/** One entry; one that needs a permission is left out for users without it. */
function NavItem({ href, label, current, permission }: { href: string; label: string; current: boolean; permission?: string }) {
  const allowed = usePermission(permission ?? '');
  if (permission && !allowed) return null;
  return (
    <li>
      <Link href={href} aria-current={current ? 'page' : undefined}>
        {label}
      </Link>
    </li>
  );
}
