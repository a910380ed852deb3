/** The model's confidence as a meter with its number, and a word for the band. */
export function ConfidenceMeter({ score }: { score: number | null | undefined }) {
  if (score === null || score === undefined) return <p className="muted">No confidence score recorded.</p>;
  const pct = Math.round(score * 100);
  const band = score >= 0.8 ? 'high' : score >= 0.5 ? 'medium' : 'low';
  return (
    <div className={`confidence confidence-${band}`}>
      <label htmlFor="confidence-meter">Confidence</label>
      <meter id="confidence-meter" min={0} max={1} low={0.5} high={0.8} optimum={1} value={score}>
        {pct}%
      </meter>
      <span className="confidence-value">
        {pct}% <span className="muted">({band})</span>
      </span>
    </div>
  );
}
