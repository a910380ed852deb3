import type { CostRow } from '@frostbyte/contracts';
import { formatCost, formatCount, formatPercent } from '../../../lib/format.ts';
import type { CostGroup } from '../api/get-costs.ts';

const KEY_LABEL: Record<CostGroup, string> = { model: 'Model @ version', tenant: 'Tenant', document: 'Document', stage: 'Stage' };

/** Of a total, the part a provider prices apart: "1,024 (85%)". */
function part(n: number, of: number) {
  if (!n) return <span className="muted">—</span>;
  return (
    <>
      {formatCount(n)} <span className="muted">({formatPercent(of ? n / of : 0)})</span>
    </>
  );
}

/** One row per model, tenant, document or stage: calls, tokens with the parts that are
 * priced apart (parts of their totals, not additions), cost and share of the total. */
export function CostTable({ rows, groupBy, total }: { rows: readonly CostRow[]; groupBy: CostGroup; total: number }) {
  if (!rows.length) return <p className="muted">No priced calls in this period.</p>;
  return (
    <div className="cost-table-wrap">
      <table className="table cost-table">
        <caption>
          Cost by {KEY_LABEL[groupBy].toLowerCase()} ({rows.length})
        </caption>
        <thead>
          <tr>
            <th scope="col">{KEY_LABEL[groupBy]}</th>
            <th scope="col" className="num">
              Calls
            </th>
            <th scope="col" className="num">
              Errors
            </th>
            <th scope="col" className="num">
              Input tokens
            </th>
            <th scope="col" className="num">
              of which cached
            </th>
            <th scope="col" className="num">
              of which cache writes
            </th>
            <th scope="col" className="num">
              Output tokens
            </th>
            <th scope="col" className="num">
              of which reasoning
            </th>
            <th scope="col" className="num">
              Cost
            </th>
            <th scope="col" className="num">
              Share
            </th>
          </tr>
        </thead>
        <tbody>
          {rows.map((r) => (
            <tr key={r.key} data-key={r.key}>
              <th scope="row" className="mono">
                {r.key}
              </th>
              <td className="num">{formatCount(r.calls)}</td>
              <td className="num">{formatCount(r.errors)}</td>
              <td className="num">{formatCount(r.input_tokens)}</td>
              <td className="num">{part(r.cached_input_tokens, r.input_tokens)}</td>
              <td className="num">{part(r.cache_write_tokens, r.input_tokens)}</td>
              <td className="num">{formatCount(r.output_tokens)}</td>
              <td className="num">{part(r.reasoning_tokens, r.output_tokens)}</td>
              <td className="num">{formatCost(r.cost_usd)}</td>
              <td className="num">{formatPercent(total ? r.cost_usd / total : 0)}</td>
            </tr>
          ))}
        </tbody>
        <tfoot>
          <tr>
            <th scope="row">Total</th>
            <td className="num">{formatCount(rows.reduce((n, r) => n + r.calls, 0))}</td>
            <td className="num">{formatCount(rows.reduce((n, r) => n + r.errors, 0))}</td>
            <td className="num">{formatCount(rows.reduce((n, r) => n + r.input_tokens, 0))}</td>
            <td className="num">{formatCount(rows.reduce((n, r) => n + r.cached_input_tokens, 0))}</td>
            <td className="num">{formatCount(rows.reduce((n, r) => n + r.cache_write_tokens, 0))}</td>
            <td className="num">{formatCount(rows.reduce((n, r) => n + r.output_tokens, 0))}</td>
            <td className="num">{formatCount(rows.reduce((n, r) => n + r.reasoning_tokens, 0))}</td>
            <td className="num">{formatCost(total)}</td>
            <td className="num">100%</td>
          </tr>
        </tfoot>
      </table>
    </div>
  );
}
