import type { Experiment, VariantName } from '@frostbyte/contracts';
import { useId, useState } from 'react';
import { ErrorBanner } from '../../../components/ErrorBanner.tsx';
import { formatAgo } from '../../../lib/format.ts';
import { endExperimentError, useEndExperiment } from '../api/end-experiment.ts';
import { useExperimentResults } from '../api/get-experiment-results.ts';
import { agreementText, significanceText, variantBars } from '../utils/experiment-figures.ts';
import { BarChart } from './BarChart.tsx';
import { ConfidenceHistogram } from './ConfidenceHistogram.tsx';

/** One experiment's results: per-variant charts, agreement, significance in words,
 * and (while it runs, for those allowed) Stop or Promote. */
export function ExperimentResultsView({
  experiment,
  modelName,
  canWrite,
}: {
  experiment: Experiment;
  modelName: string;
  canWrite: boolean;
}) {
  const id = useId();
  const running = experiment.state === 'running';
  const q = useExperimentResults(experiment.id, running);
  const end = useEndExperiment(modelName);
  const [reason, setReason] = useState('');
  const [formError, setFormError] = useState<string | null>(null);

  const act = (action: 'stop' | 'promote', variant?: VariantName) => {
    const input = { id: experiment.id, action, variant, reason };
    const err = endExperimentError(input);
    setFormError(err);
    if (!err) end.mutate(input);
  };

  if (q.isError) return <ErrorBanner title="Results could not be loaded" error={q.error} onRetry={() => void q.refetch()} />;
  const r = q.data;
  if (!r) return <p role="status">Loading the results of {experiment.name}…</p>;
  const winner = r.recommendation.winner;
  return (
    <section className="card ab-results" aria-labelledby={`${id}-title`} data-experiment-id={experiment.id}>
      <h3 id={`${id}-title`}>
        Results: {experiment.name} <span className={`badge badge-${running ? 'processing' : 'idle'}`}>{experiment.state}</span>
      </h3>
      <p className="muted">
        {experiment.control.version} (control) against {experiment.treatment.version} (treatment, {experiment.treatment_percent}% of
        documents) on {experiment.stage} · updated {formatAgo(r.generated_at)}
      </p>
      <div className="charts ab-charts">
        <BarChart title="Calls" bars={variantBars(r.variants, 'calls')} />
        <BarChart title="Error rate" bars={variantBars(r.variants, 'error_rate')} />
        <BarChart title="Latency p50" bars={variantBars(r.variants, 'p50_ms')} />
        <BarChart title="Latency p95" bars={variantBars(r.variants, 'p95_ms')} />
        <BarChart title="Cost per document" bars={variantBars(r.variants, 'cost_per_document_usd')} />
        <ConfidenceHistogram variants={r.variants} />
      </div>
      <ul className="significance">
        <li>{agreementText(r)}</li>
        <li>{significanceText('Error rate', r.significance.error_rate, r.significance.alpha)}</li>
        <li>{significanceText('Latency', r.significance.latency, r.significance.alpha)}</li>
        <li>
          <strong>Recommendation:</strong> {winner ? `promote the ${winner}` : 'no winner yet'} — {r.recommendation.reason}
        </li>
      </ul>
      {running && canWrite && (
        <div className="end-experiment">
          <div className="field">
            <label htmlFor={`${id}-reason`}>Why end it</label>
            <input
              id={`${id}-reason`}
              value={reason}
              onChange={(e) => setReason(e.target.value)}
              aria-invalid={formError ? true : undefined}
              aria-describedby={formError ? `${id}-err` : undefined}
            />
            {formError && (
              <span id={`${id}-err`} className="field-error">
                {formError}
              </span>
            )}
          </div>
          <div className="field-actions">
            <button type="button" className="primary" onClick={() => act('promote', winner ?? 'treatment')} disabled={end.isPending}>
              Promote {winner ?? 'treatment'} ({winner === 'control' ? experiment.control.version : experiment.treatment.version})
            </button>
            <button type="button" onClick={() => act('stop')} disabled={end.isPending}>
              Stop experiment
            </button>
          </div>
          {end.isError && <ErrorBanner title="The experiment was not ended" error={end.error} />}
        </div>
      )}
    </section>
  );
}
