import { formatDateTime } from '../../../lib/format.ts';
import { Link } from '../../../lib/router.tsx';
import type { AccessRow } from '../api/get-access-report.ts';

/** Who read what, how often, for what purpose: one row per reader × event × purpose. */
export function AccessTable({ rows }: { rows: readonly AccessRow[] }) {
  if (!rows.length) return <p className="muted">Nobody read a trace in this period.</p>;
  return (
    <div className="audit-table-wrap">
      <table className="table access-table">
        <caption>Trace reads by person ({rows.length})</caption>
        <thead>
          <tr>
            <th scope="col">Who</th>
            <th scope="col">Tenant</th>
            <th scope="col">Document</th>
            <th scope="col">Event</th>
            <th scope="col">Purpose</th>
            <th scope="col" className="num">
              Reads
            </th>
            <th scope="col">First</th>
            <th scope="col">Last</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((r) => (
            <tr key={`${r.actor}|${r.tenant_id}|${r.event_id}|${r.document_id}|${r.purpose}`} data-actor={r.actor}>
              <td className="mono">{r.actor}</td>
              <td>{r.tenant_id}</td>
              <td className="mono">{r.document_id ?? '—'}</td>
              <td className="mono">
                {r.event_id ? (
                  <Link href={`/trace/${r.event_id}?tenant_id=${encodeURIComponent(r.tenant_id)}`}>{r.event_id.slice(0, 13)}…</Link>
                ) : (
                  '—'
                )}
              </td>
              <td>{r.purpose ?? <span className="muted">none given</span>}</td>
              <td className="num">{r.reads}</td>
              <td className="nowrap">{formatDateTime(r.first_at)}</td>
              <td className="nowrap">{formatDateTime(r.last_at)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
