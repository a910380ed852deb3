import { useMemo } from 'react';
import { ErrorBanner } from '../../components/ErrorBanner.tsx';
import { formatCost, formatDateTime } from '../../lib/format.ts';
import { navigate, useLocation } from '../../lib/router.tsx';
import { type CostGroup, type CostQuery, useCosts } from './api/get-costs.ts';
import { CostTable } from './components/CostTable.tsx';
import './costs.css';

const GROUPS: readonly { value: CostGroup; label: string }[] = [
  { value: 'model', label: 'Model' },
  { value: 'tenant', label: 'Tenant' },
  { value: 'document', label: 'Document' },
  { value: 'stage', label: 'Stage' },
];
const PERIODS: readonly { value: string; label: string }[] = [
  { value: '1', label: 'Last hour' },
  { value: '24', label: 'Last 24 hours' },
  { value: String(24 * 7), label: 'Last 7 days' },
  { value: String(24 * 30), label: 'Last 30 days' },
];

/** A labelled select over a fixed list. */
function Choice({ label, value, options, onChange }: { label: string; value: string; options: readonly { value: string; label: string }[]; onChange: (v: string) => void }) {
  return (
    <label>
      {label}{' '}
      <select value={value} onChange={(e) => onChange(e.target.value)}>
        {options.map((o) => (
          <option key={o.value} value={o.value}>
            {o.label}
          </option>
        ))}
      </select>
    </label>
  );
}

/** `?group_by=&hours=&tenant_id=`: what the page shows, so a view can be linked. */
export function parseCostQuery(search: string): CostQuery {
  const p = new URLSearchParams(search);
  const group = p.get('group_by');
  const hours = p.get('hours');
  return {
    group_by: GROUPS.some((g) => g.value === group) ? (group as CostGroup) : 'model',
    hours: PERIODS.some((x) => x.value === hours) ? Number(hours) : 24,
    tenant_id: p.get('tenant_id') || undefined,
  };
}

/**
 * Cost transparency (`/costs`): what the models cost per model, tenant, document or
 * stage, with the token parts providers price apart (cached reads, cache writes,
 * reasoning). Prices are the registry's, computed on the server; a call of an
 * unpriced version counts its tokens at no cost.
 */
export function CostsPage() {
  const { search } = useLocation();
  const q = useMemo(() => parseCostQuery(search), [search]);
  const costs = useCosts(q);
  const set = (patch: Partial<Record<'group_by' | 'hours', string>>) => {
    const p = new URLSearchParams(window.location.search);
    for (const [k, v] of Object.entries(patch)) p.set(k, v);
    navigate(`/costs?${p}`, { replace: true });
  };
  return (
    <div className="page costs-page">
      <h1>Costs</h1>
      <p className="muted">
        Server-computed from the model registry's prices{q.tenant_id ? `, tenant ${q.tenant_id}` : ', every tenant you may see'}. Cached
        reads, cache writes and reasoning are parts of the input and output totals, each at its own price.
      </p>
      <fieldset className="cost-controls">
        <legend className="visually-hidden">Cost view</legend>
        <Choice label="Group by" value={q.group_by} options={GROUPS} onChange={(v) => set({ group_by: v })} />
        <Choice label="Period" value={String(q.hours)} options={PERIODS} onChange={(v) => set({ hours: v })} />
        {costs.data && (
          <output className="cost-total" aria-live="polite">
            Total <strong>{formatCost(costs.data.total_cost_usd)}</strong>
          </output>
        )}
      </fieldset>
      {costs.isError && <ErrorBanner title="The costs could not be loaded" error={costs.error} onRetry={() => void costs.refetch()} />}
      {costs.isPending ? (
        <p role="status">Loading the costs…</p>
      ) : (
        costs.data && (
          <>
            <CostTable rows={costs.data.rows} groupBy={costs.data.group_by} total={costs.data.total_cost_usd} />
            <p className="muted">
              From {formatDateTime(costs.data.from)} to {formatDateTime(costs.data.to)}
              {q.group_by === 'document' ? ' (the 1,000 costliest documents, read from the stored events).' : ' (hourly rollups).'}
            </p>
          </>
        )
      )}
    </div>
  );
}
