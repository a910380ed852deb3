import { ErrorBanner } from '../../../components/ErrorBanner.tsx';
import { useAuditProof } from '../api/get-audit-proof.ts';

/** Where this event sits in the tamper-evident audit log, and whether its inclusion
 * proof verifies. Before the audit trail exists on the server it says "pending". */
export function AuditStatus({ eventId }: { eventId: string }) {
  const q = useAuditProof(eventId);
  if (q.isPending) return <p className="muted">Checking the audit trail…</p>;
  if (q.isError) return <ErrorBanner title="Audit proof" error={q.error} onRetry={() => void q.refetch()} />;
  if (q.data === null) return <p className="muted">Audit link pending: this event has no audit entry yet.</p>;
  const { verified, entry } = q.data;
  return (
    <p>
      <span className={verified ? 'badge badge-completed' : 'badge badge-failed'}>
        <span aria-hidden="true">{verified ? '✓' : '✕'}</span> {verified ? 'verified' : 'verification failed'}
      </span>{' '}
      audit entry <a href={`/v1/audit/proof/${encodeURIComponent(eventId)}`}>#{String(entry.seq)}</a>{' '}
      <span className="mono muted" title={entry.hash}>
        {entry.hash.slice(0, 16)}…
      </span>
    </p>
  );
}
