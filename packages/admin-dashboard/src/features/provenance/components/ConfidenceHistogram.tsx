import type { VariantResult } from '@frostbyte/contracts';
import { confidenceShares, variantLabel } from '../utils/experiment-figures.ts';

/** Confidence distribution per variant on the same ten buckets: columns for the eye,
 * a table (visually hidden) for everyone else. */
export function ConfidenceHistogram({ variants }: { variants: readonly VariantResult[] }) {
  const shares = variants.map(confidenceShares);
  const max = Math.max(0.0001, ...shares.flat().map((s) => s.share));
  const ranges = shares[0]?.map((s) => s.range) ?? [];
  if (variants.every((v) => v.confidence.count === 0))
    return (
      <figure className="histogram">
        <figcaption>Confidence distribution</figcaption>
        <p className="muted">No confidence score recorded by either variant yet (this stage's model may not report one).</p>
      </figure>
    );
  return (
    <figure className="histogram">
      <figcaption>Confidence distribution (share of each variant's calls)</figcaption>
      <div className="histogram-plot" aria-hidden="true">
        {ranges.map((range, i) => (
          <div key={range} className="histogram-bucket" title={range}>
            {shares.map((s, v) => (
              <span
                key={variants[v]?.variant}
                className={`histogram-col swatch-${v + 1}`}
                style={{ height: `${((s[i]?.share ?? 0) / max) * 100}%` }}
              />
            ))}
            <span className="histogram-label">{range.split('–')[0]}</span>
          </div>
        ))}
      </div>
      <table className="visually-hidden">
        <caption>Confidence buckets per variant</caption>
        <thead>
          <tr>
            <th scope="col">Confidence</th>
            {variants.map((v) => (
              <th scope="col" key={v.variant}>
                {variantLabel(v)}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {ranges.map((range, i) => (
            <tr key={range}>
              <th scope="row">{range}</th>
              {shares.map((s, v) => (
                <td key={variants[v]?.variant}>
                  {s[i]?.count ?? 0} ({Math.round((s[i]?.share ?? 0) * 100)}%)
                </td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
      <p className="chart-legend">
        {variants.map((v, i) => (
          <span key={v.variant}>
            <span className={`swatch swatch-${i + 1}`} aria-hidden="true" /> {variantLabel(v)} (mean {v.confidence.mean?.toFixed(2) ?? '—'})
          </span>
        ))}
      </p>
    </figure>
  );
}
