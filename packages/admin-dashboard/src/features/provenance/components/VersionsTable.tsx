import type { ModelVersion } from '@frostbyte/contracts';
import { formatAgo } from '../../../lib/format.ts';
import { scopeText } from '../utils/provenance-timeline.ts';

interface Props {
  versions: readonly ModelVersion[];
  /** Up to two versions picked for comparison, in the order they were picked. */
  compare: readonly string[];
  onToggleCompare: (version: string) => void;
  onDeploy?: (version: string) => void;
}

/** The model's versions, newest first: where each is active, who registered it and
 * why; pick two to compare, or deploy one. */
export function VersionsTable({ versions, compare, onToggleCompare, onDeploy }: Props) {
  const rows = [...versions].reverse();
  return (
    <table className="table versions">
      <caption className="visually-hidden">Versions of the model, newest first</caption>
      <thead>
        <tr>
          <th scope="col">Compare</th>
          <th scope="col">Version</th>
          <th scope="col">Active for</th>
          <th scope="col">Registered</th>
          <th scope="col">Why</th>
          {onDeploy && <th scope="col">Action</th>}
        </tr>
      </thead>
      <tbody>
        {rows.map((v) => {
          const picked = compare.includes(v.version);
          return (
            <tr key={v.id} data-version={v.version}>
              <td>
                <input
                  type="checkbox"
                  checked={picked}
                  disabled={!picked && compare.length >= 2}
                  onChange={() => onToggleCompare(v.version)}
                  aria-label={`Compare ${v.version}`}
                />
              </td>
              <th scope="row" className="mono">
                {v.version}
              </th>
              <td>
                {v.active_for.length ? (
                  <span className="badge badge-completed">
                    <span aria-hidden="true">●</span> {scopeText(v.active_for.includes('*') ? null : v.active_for)}
                  </span>
                ) : (
                  <span className="muted">not active</span>
                )}
              </td>
              <td>
                <span className="mono">{v.created_by}</span> · {formatAgo(v.created_at)}
              </td>
              <td>{v.reason ?? <span className="muted">—</span>}</td>
              {onDeploy && (
                <td>
                  <button type="button" onClick={() => onDeploy(v.version)} aria-label={`Deploy ${v.version}`}>
                    Deploy…
                  </button>
                </td>
              )}
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}
