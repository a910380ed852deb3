import { type FormEvent, useId, useState } from 'react';
import { ErrorBanner } from '../../../components/ErrorBanner.tsx';
import { usePermission } from '../../../lib/permissions.tsx';
import { useDownloadBundle } from '../api/download-bundle.ts';

/** One click: the tenant's offline audit bundle (entries, proofs, signed checkpoints,
 * public key), checked anywhere with `npm run frostbyte -- audit verify --bundle FILE`.
 * Needs `audit:export`; without it the button says why it is off. */
export function BundleExport({ tenant, tenants }: { tenant: string; tenants: readonly string[] }) {
  const id = useId();
  const canExport = usePermission('audit:export');
  const [draft, setDraft] = useState(tenant);
  const download = useDownloadBundle();
  const target = draft.trim();
  const reason = !canExport
    ? 'Exporting needs the audit:export permission (admin, compliance officer).'
    : !target
      ? 'Name the tenant: a bundle holds one tenant’s chain.'
      : null;
  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (!reason) download.mutate(target);
  };
  return (
    <form className="bundle-export" onSubmit={submit} aria-label="Export an audit bundle">
      <div className="field">
        <label htmlFor={`${id}-tenant`}>Bundle of tenant</label>
        <input id={`${id}-tenant`} list={`${id}-list`} value={draft} size={16} onChange={(e) => setDraft(e.target.value)} />
        <datalist id={`${id}-list`}>
          {tenants.map((t) => (
            <option key={t} value={t} />
          ))}
        </datalist>
      </div>
      <button
        type="submit"
        className="primary"
        disabled={Boolean(reason) || download.isPending}
        aria-describedby={reason ? `${id}-why` : undefined}
      >
        {download.isPending ? 'Exporting…' : 'Export bundle'}
      </button>
      {reason && (
        <span id={`${id}-why`} className="muted">
          {reason}
        </span>
      )}
      {download.isSuccess && (
        <span role="status" className="muted">
          Saved {download.data}. Verify it offline: <code>npm run frostbyte -- audit verify --bundle {download.data}</code>
        </span>
      )}
      {download.isError && <ErrorBanner title="No bundle" error={download.error} />}
    </form>
  );
}
