import { ErrorBanner } from '../../../components/ErrorBanner.tsx';
import { usePermission } from '../../../lib/permissions.tsx';
import { useVerifyChain, type VerifyResult } from '../api/verify-chain.ts';

/** The whole chain's check, on demand (the table only compares the links it has loaded). */
export function VerifyChain({ tenant }: { tenant: string }) {
  const canVerify = usePermission('audit:verify');
  const verify = useVerifyChain();
  if (!canVerify) return null;
  return (
    <>
      <button
        type="button"
        onClick={() => verify.mutate(tenant)}
        disabled={!tenant || verify.isPending}
        title={tenant ? undefined : 'Pick a tenant first'}
      >
        {verify.isPending ? 'Verifying…' : tenant ? `Verify ${tenant}'s chain` : 'Verify a chain (pick a tenant)'}
      </button>
      <span role="status" className="verify-result">
        {verify.data && <VerifyWords result={verify.data} />}
      </span>
      {verify.isError && <ErrorBanner title="Not verified" error={verify.error} />}
    </>
  );
}

export function VerifyWords({ result }: { result: VerifyResult }) {
  return (
    <>
      {result.tenants.map((t) =>
        t.ok ? (
          <span key={t.tenant_id} className="badge badge-completed">
            <span aria-hidden="true">✓</span> {t.tenant_id}: {t.entries} entries rehashed, {t.checkpoints} signed checkpoints valid
            {t.unattested ? `, ${t.unattested} not yet signed` : ''}
            {t.events_checked !== undefined ? `; ${t.events_checked} stored events match their batch roots` : ''}
          </span>
        ) : (
          <span key={t.tenant_id} className="badge badge-failed">
            <span aria-hidden="true">✕</span>{' '}
            {t.first_bad?.reason === 'events'
              ? `${t.tenant_id}: stored events — ${t.first_bad.detail}`
              : `${t.tenant_id}: entry #${t.first_bad?.seq} ${t.first_bad?.reason} — ${t.first_bad?.detail}`}
          </span>
        ),
      )}
    </>
  );
}
