import { barFractions, type Bar } from '../utils/experiment-figures.ts';

/** Horizontal bars drawn in HTML (they scale with the text and need no canvas); each
 * bar carries its value as text, so the chart reads the same without sight. */
export function BarChart({ title, bars }: { title: string; bars: readonly Bar[] }) {
  const fractions = barFractions(bars);
  return (
    <figure className="bar-chart">
      <figcaption>{title}</figcaption>
      <dl>
        {bars.map((b, i) => (
          <div key={b.label} className="bar-row">
            <dt>{b.label}</dt>
            <dd>
              <span
                className={`bar swatch-${(i % 8) + 1}`}
                style={{ width: `${Math.max(1, (fractions[i] ?? 0) * 100)}%` }}
                aria-hidden="true"
              />
              <span className="bar-value">{b.text}</span>
            </dd>
          </div>
        ))}
      </dl>
    </figure>
  );
}
