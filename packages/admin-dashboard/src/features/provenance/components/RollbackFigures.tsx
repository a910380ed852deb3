import type { RollbackPreview } from '@frostbyte/contracts';
import { comparisonRows, costChangeText, inFlightText, runningText } from '../utils/rollback-figures.ts';

const DIRECTION_TEXT = { better: '▼ better', worse: '▲ worse', same: '= same', unknown: '' } as const;

/** The figures of a rollback preview: where the current version runs, current vs
 * target, what is in flight, what it will cost. Every figure is text. */
export function RollbackFigures({ preview: p }: { preview: RollbackPreview }) {
  const rows = comparisonRows(p.current, p.target);
  return (
    <div className="rollback-figures" data-testid="rollback-figures">
      <h3>Where {p.current_version} runs now</h3>
      <ul>
        {runningText(p).map((t) => (
          <li key={t}>{t}</li>
        ))}
      </ul>
      {p.tenants_seen.length > 0 && (
        <p>
          Tenants with calls on {p.current_version} in the window: {p.tenants_seen.join(', ')}.
        </p>
      )}
      <table className="table">
        <caption>
          {p.current_version} over the last {Math.round((Date.parse(p.current.to) - Date.parse(p.current.from)) / 60_000)} min against{' '}
          {p.target_version}'s own history
          {p.target_was_deployed ? '' : ' (never deployed before)'}
        </caption>
        <thead>
          <tr>
            <th scope="col">Figure</th>
            <th scope="col">Current ({p.current_version})</th>
            <th scope="col">Target ({p.target_version})</th>
            <th scope="col">Change</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((r) => (
            <tr key={r.label} data-figure={r.label}>
              <th scope="row">{r.label}</th>
              <td className="num">{r.current}</td>
              <td className="num">{r.target}</td>
              <td className={`num change-${r.direction}`}>
                {r.change} {DIRECTION_TEXT[r.direction]}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <p data-testid="in-flight">{inFlightText(p)}</p>
      <p data-testid="cost-change">{costChangeText(p)}</p>
      {p.warnings.length > 0 && (
        <ul className="warnings" aria-label="Warnings">
          {p.warnings.map((w) => (
            <li key={w}>
              <span aria-hidden="true">⚠ </span>
              {w}
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
