import { type FormEvent, useEffect, useId, useState } from 'react';
import { useLiveStream } from '../../lib/live-stream.tsx';
import { navigate, useLocation } from '../../lib/router.tsx';

/** Tenants seen on the stream, for users who may see all of them (`'*'`). */
function useSeenTenants(): string[] {
  const client = useLiveStream();
  const [seen, setSeen] = useState<string[]>([]);
  useEffect(
    () =>
      client.subscribe((b) => {
        if (!b.events.length) return;
        const batch = new Set(b.events.map((e) => e.tenant_id));
        setSeen((s) => {
          const add = [...batch].filter((t) => !s.includes(t));
          return add.length ? [...s, ...add].sort() : s;
        });
      }),
    [client],
  );
  return seen;
}

function setTenant(pathname: string, search: string, tenant: string | null) {
  const q = new URLSearchParams(search);
  if (tenant) q.set('tenant_id', tenant);
  else q.delete('tenant_id');
  const s = q.toString();
  navigate(`${pathname}${s ? `?${s}` : ''}`);
}

/** The tenant scope, kept in the URL (`tenant_id`) so a shared link shows the same
 * tenant. One tenant: shown, not switchable. Several: a select. All (`*`): a text
 * field suggesting tenants seen so far. */
export function TenantSwitcher({ tenants }: { tenants: readonly string[] }) {
  const id = useId();
  const { pathname, search } = useLocation();
  const current = new URLSearchParams(search).get('tenant_id') ?? '';
  const all = tenants.includes('*');
  const seen = useSeenTenants();
  const [draft, setDraft] = useState(current);
  useEffect(() => setDraft(current), [current]);

  if (!all && tenants.length <= 1) return <span className="tenant-label">Tenant: {tenants[0] ?? 'none'}</span>;

  if (!all)
    return (
      <div className="field inline">
        <label htmlFor={id}>Tenant</label>
        <select id={id} value={current} onChange={(e) => setTenant(pathname, search, e.target.value || null)}>
          <option value="">All my tenants</option>
          {tenants.map((t) => (
            <option key={t} value={t}>
              {t}
            </option>
          ))}
        </select>
      </div>
    );

  const submit = (e: FormEvent) => {
    e.preventDefault();
    setTenant(pathname, search, draft.trim() || null);
  };
  return (
    <form className="field inline" onSubmit={submit}>
      <label htmlFor={id}>Tenant</label>
      <input
        id={id}
        list={`${id}-list`}
        value={draft}
        placeholder="all tenants"
        size={12}
        onChange={(e) => {
          setDraft(e.target.value);
          // Picking a suggestion applies it at once; typing waits for Enter.
          if (seen.includes(e.target.value)) setTenant(pathname, search, e.target.value);
        }}
        onBlur={() => {
          if (draft.trim() !== current) setTenant(pathname, search, draft.trim() || null);
        }}
      />
      <datalist id={`${id}-list`}>
        {seen.map((t) => (
          <option key={t} value={t} />
        ))}
      </datalist>
    </form>
  );
}
