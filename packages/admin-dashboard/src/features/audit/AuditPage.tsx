import { useMemo } from 'react';
import { ErrorBanner } from '../../components/ErrorBanner.tsx';
import { usePermission } from '../../lib/permissions.tsx';
import { navigate, useLocation } from '../../lib/router.tsx';
import { useAccessReport } from './api/get-access-report.ts';
import { useAuditLog } from './api/get-audit-log.ts';
import { AccessTable } from './components/AccessTable.tsx';
import { AuditFilters } from './components/AuditFilters.tsx';
import { AuditLog } from './components/AuditLog.tsx';
import { BundleExport } from './components/BundleExport.tsx';
import { DocumentControls } from './components/DocumentControls.tsx';
import { ReadsChart } from './components/ReadsChart.tsx';
import { VerifyChain } from './components/VerifyChain.tsx';
import { auditFiltersToSearch, parseAuditFilters } from './utils/audit-filters.ts';
import './audit.css';

/**
 * The compliance officer's page (`/audit`): the hash-chained audit log with filters
 * (in the URL), each entry's chain and checkpoint status; the access report (who
 * read which trace, how often, why) as a chart and a table; a one-click offline
 * bundle; and the per-document controls (legal hold, erasure) for those allowed.
 */
export function AuditPage() {
  const { search } = useLocation();
  const filters = useMemo(() => parseAuditFilters(search), [search]);
  const canRead = usePermission('audit:read');
  const log = useAuditLog(filters, canRead);
  const accessQuery = useMemo(() => ({ tenant_id: filters.tenant_id, from: filters.from, to: filters.to }), [filters]);
  const access = useAccessReport(accessQuery, canRead);

  const entries = useMemo(() => log.data?.pages.flatMap((p) => p.entries) ?? [], [log.data]);
  const tenants = useMemo(() => [...new Set(entries.map((e) => e.tenant_id))].filter((t) => t !== '_system').sort(), [entries]);
  const actors = useMemo(() => [...new Set(entries.map((e) => e.actor))].sort(), [entries]);
  const tenant = filters.tenant_id ?? '';

  if (!canRead)
    return (
      <div className="page">
        <h1>Audit</h1>
        <p>The audit log needs the audit:read permission (admin, ML engineer, compliance officer).</p>
      </div>
    );

  return (
    <div className="page audit-page">
      <h1>Audit</h1>
      <p className="muted">
        Every admin action, every model event batch and every trace read, hash-chained per tenant and signed at checkpoints. Set a purpose
        of access in the header: the traces you open are recorded with it.
      </p>
      <AuditFilters
        key={search}
        filters={filters}
        onApply={(f) => navigate(`/audit${auditFiltersToSearch(f, window.location.search)}`)}
        tenants={tenants}
        actors={actors}
      />

      <section aria-labelledby="audit-log-title">
        <div className="section-head">
          <h2 id="audit-log-title">Audit log</h2>
          <BundleExport key={tenant} tenant={tenant} tenants={tenants} />
          <VerifyChain key={`v-${tenant}`} tenant={tenant} />
        </div>
        {log.isError && <ErrorBanner title="The audit log could not be loaded" error={log.error} onRetry={() => void log.refetch()} />}
        {log.isPending ? (
          <p role="status">Loading the audit log…</p>
        ) : (
          <>
            <AuditLog entries={entries} />
            <p className="muted audit-more" role="status">
              {entries.length} entr{entries.length === 1 ? 'y' : 'ies'} shown, newest first.
              {log.hasNextPage ? '' : entries.length ? ' That is all of them.' : ''}
            </p>
            {log.hasNextPage && (
              <button type="button" onClick={() => void log.fetchNextPage()} disabled={log.isFetchingNextPage}>
                {log.isFetchingNextPage ? 'Loading…' : 'Load more'}
              </button>
            )}
          </>
        )}
      </section>

      <div className="audit-sections">
        <section aria-labelledby="access-title">
          <h2 id="access-title">Access report</h2>
          <p className="muted">
            Who read which trace (decrypted inputs and outputs), how often and why
            {filters.from || filters.to ? ' in the chosen period' : ' in the last 30 days'}
            {tenant ? `, tenant ${tenant}` : ''}.
          </p>
          {access.isError && (
            <ErrorBanner title="The access report could not be loaded" error={access.error} onRetry={() => void access.refetch()} />
          )}
          {access.isPending && <p role="status">Loading the access report…</p>}
          {access.data && (
            <>
              <ReadsChart byDay={access.data.by_day} />
              <AccessTable rows={access.data.rows} />
            </>
          )}
        </section>
        <section aria-labelledby="documents-title">
          <h2 id="documents-title">Document controls</h2>
          <p className="muted">
            A legal hold keeps a document's events and traces past retention and blocks its erasure; erasure destroys its trace payloads for
            good.
          </p>
          <DocumentControls key={tenant} defaultTenant={tenant} />
        </section>
      </div>
    </div>
  );
}
