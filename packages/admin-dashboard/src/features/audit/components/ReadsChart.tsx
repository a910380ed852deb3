import { useMemo } from 'react';
import type { AccessReport } from '../api/get-access-report.ts';
import { readsChartData } from '../utils/reads-chart.ts';

const MAX_COLOURS = 8;

/** Reads per person per day: columns per day, one colour per reader (HTML, like the
 * other pages' bar charts), and the same figures as a table (visually hidden). */
export function ReadsChart({ byDay }: { byDay: AccessReport['by_day'] }) {
  const data = useMemo(() => readsChartData(byDay), [byDay]);
  if (!data.days.length)
    return (
      <figure className="reads-chart">
        <figcaption>Reads per person per day</figcaption>
        <p className="muted">No trace was read in this period.</p>
      </figure>
    );
  const max = Math.max(1, data.max);
  return (
    <figure className="reads-chart">
      <figcaption>Reads per person per day (most: {data.max})</figcaption>
      <div className="reads-plot" aria-hidden="true">
        {data.days.map((day, d) => (
          <div key={day} className="reads-day" title={day}>
            <div className="reads-cols">
              {data.actors.map((a, i) => (
                <span
                  key={a.actor}
                  className={`reads-col swatch-${(i % MAX_COLOURS) + 1}`}
                  style={{ height: `${((data.reads[d]?.[i] ?? 0) / max) * 100}%` }}
                  title={`${a.actor}: ${data.reads[d]?.[i] ?? 0}`}
                />
              ))}
            </div>
            <span className="reads-label">{day.slice(5)}</span>
          </div>
        ))}
      </div>
      <table className="visually-hidden">
        <caption>Reads per person per day</caption>
        <thead>
          <tr>
            <th scope="col">Day</th>
            {data.actors.map((a) => (
              <th scope="col" key={a.actor}>
                {a.actor}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {data.days.map((day, d) => (
            <tr key={day}>
              <th scope="row">{day}</th>
              {data.actors.map((a, i) => (
                <td key={a.actor}>{data.reads[d]?.[i] ?? 0}</td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
      <ul className="chart-legend">
        {data.actors.map((a, i) => (
          <li key={a.actor}>
            <span className={`swatch swatch-${(i % MAX_COLOURS) + 1}`} aria-hidden="true" /> {a.actor} ({a.total} reads)
          </li>
        ))}
      </ul>
    </figure>
  );
}
