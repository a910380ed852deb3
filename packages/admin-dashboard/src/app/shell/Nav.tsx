import { Link, useLocation } from '../../lib/router.tsx';

const ITEMS = [
  { href: '/activity', label: 'Activity', match: (p: string) => p === '/' || p === '/activity' },
  { href: '/trace', label: 'Tracer', match: (p: string) => p.startsWith('/trace') },
  { href: '/provenance', label: 'Provenance', match: (p: string) => p === '/provenance' },
  { href: '/pipeline', label: 'Pipeline', match: (p: string) => p === '/pipeline' },
];

/** Primary navigation; the tenant in the URL travels with every link. */
export function Nav() {
  const { pathname, search } = useLocation();
  const tenant = new URLSearchParams(search).get('tenant_id');
  const suffix = tenant ? `?tenant_id=${encodeURIComponent(tenant)}` : '';
  return (
    <nav aria-label="Main" className="main-nav">
      <ul>
        {ITEMS.map((item) => {
          // The tracer needs an event: from the nav it starts at the feed ("click any event").
          const href = item.href === '/trace' ? `/activity${suffix}` : `${item.href}${suffix}`;
          const current = item.match(pathname);
          if (item.href === '/trace' && !current) return null;
          return (
            <li key={item.href}>
              <Link href={current && item.href === '/trace' ? pathname + search : href} aria-current={current ? 'page' : undefined}>
                {item.label}
              </Link>
            </li>
          );
        })}
      </ul>
    </nav>
  );
}
