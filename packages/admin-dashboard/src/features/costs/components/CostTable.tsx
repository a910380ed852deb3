import type { CostRow } from '@frostbyte/contracts';
import type { ReactNode } from 'react';
import { formatCost, formatCount, formatPercent } from '../../../lib/format.ts';
import type { CostGroup } from '../api/get-costs.ts';

const KEY_LABEL: Record<CostGroup, string> = { model: 'Model @ version', tenant: 'Tenant', document: 'Document', stage: 'Stage' };

type Summed = Omit<CostRow, 'key'>;

/** Of a total, the part a provider prices apart: "1024 (85%)". */
function part(n: number, of: number): ReactNode {
  if (!n) return <span className="muted">—</span>;
  return (
    <>
      {formatCount(n)} <span className="muted">({formatPercent(of ? n / of : 0)})</span>
    </>
  );
}

/** The number columns: header, a row's cell, and the total's cell from the summed rows. */
const COLUMNS: readonly { label: string; cell: (r: Summed, total: number) => ReactNode; sum?: (t: Summed) => ReactNode }[] = [
  { label: 'Calls', cell: (r) => formatCount(r.calls) },
  { label: 'Errors', cell: (r) => formatCount(r.errors) },
  { label: 'Input tokens', cell: (r) => formatCount(r.input_tokens) },
  { label: 'of which cached', cell: (r) => part(r.cached_input_tokens, r.input_tokens), sum: (t) => formatCount(t.cached_input_tokens) },
  { label: 'of which cache writes', cell: (r) => part(r.cache_write_tokens, r.input_tokens), sum: (t) => formatCount(t.cache_write_tokens) },
  { label: 'Output tokens', cell: (r) => formatCount(r.output_tokens) },
  { label: 'of which reasoning', cell: (r) => part(r.reasoning_tokens, r.output_tokens), sum: (t) => formatCount(t.reasoning_tokens) },
  { label: 'Cost', cell: (r) => formatCost(r.cost_usd) },
  { label: 'Share', cell: (r, total) => formatPercent(total ? r.cost_usd / total : 0), sum: () => '100%' },
];

function sumRows(rows: readonly CostRow[]): Summed {
  const t: Summed = { calls: 0, errors: 0, input_tokens: 0, output_tokens: 0, cached_input_tokens: 0, cache_write_tokens: 0, reasoning_tokens: 0, cost_usd: 0 };
  for (const r of rows) for (const k of Object.keys(t) as (keyof Summed)[]) t[k] += r[k];
  return t;
}

/** One row per model, tenant, document or stage: calls, tokens with the parts that are
 * priced apart (parts of their totals, not additions), cost and share of the total. */
export function CostTable({ rows, groupBy, total }: { rows: readonly CostRow[]; groupBy: CostGroup; total: number }) {
  if (!rows.length) return <p className="muted">No priced calls in this period.</p>;
  const sums = { ...sumRows(rows), cost_usd: total };
  return (
    <div className="cost-table-wrap">
      <table className="table cost-table">
        <caption>
          Cost by {KEY_LABEL[groupBy].toLowerCase()} ({rows.length})
        </caption>
        <thead>
          <tr>
            <th scope="col">{KEY_LABEL[groupBy]}</th>
            {COLUMNS.map((c) => (
              <th key={c.label} scope="col" className="num">
                {c.label}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {rows.map((r) => (
            <tr key={r.key} data-key={r.key}>
              <th scope="row" className="mono">
                {r.key}
              </th>
              {COLUMNS.map((c) => (
                <td key={c.label} className="num">
                  {c.cell(r, total)}
                </td>
              ))}
            </tr>
          ))}
        </tbody>
        <tfoot>
          <tr>
            <th scope="row">Total</th>
            {COLUMNS.map((c) => (
              <td key={c.label} className="num">
                {(c.sum ?? c.cell)(sums, total)}
              </td>
            ))}
          </tr>
        </tfoot>
      </table>
    </div>
  );
}
