import type { Experiment, ModelVersion } from '@frostbyte/contracts';
import { useState } from 'react';
import { ErrorBanner } from '../../../components/ErrorBanner.tsx';
import { formatAgo } from '../../../lib/format.ts';
import { CreateExperimentForm } from './CreateExperimentForm.tsx';
import { ExperimentResultsView } from './ExperimentResultsView.tsx';

interface Props {
  modelName: string;
  stage: string;
  versions: readonly ModelVersion[];
  experiments: readonly Experiment[];
  error: unknown;
  canWrite: boolean;
}

/** The model's A/B experiments: pick one to see its results; start a new one. */
export function ExperimentsPanel({ modelName, stage, versions, experiments, error, canWrite }: Props) {
  const [selected, setSelected] = useState<string | null>(null);
  const [creating, setCreating] = useState(false);
  const current = experiments.find((e) => e.id === selected) ?? experiments.find((e) => e.state === 'running') ?? experiments[0];
  return (
    <section aria-labelledby="experiments-title">
      <div className="section-head">
        <h2 id="experiments-title">A/B experiments</h2>
        {canWrite && versions.length > 1 && (
          <button type="button" aria-expanded={creating} onClick={() => setCreating(!creating)}>
            {creating ? 'Close the form' : 'New experiment…'}
          </button>
        )}
      </div>
      {!!error && <ErrorBanner title="Experiments could not be loaded" error={error} />}
      {creating && (
        <CreateExperimentForm
          modelName={modelName}
          stage={stage}
          versions={versions}
          onDone={(id) => {
            setCreating(false);
            setSelected(id);
          }}
        />
      )}
      {experiments.length === 0 ? (
        <p className="muted">No experiment on this model yet.</p>
      ) : (
        <ul className="experiment-list">
          {experiments.map((e) => (
            <li key={e.id}>
              <button type="button" aria-pressed={current?.id === e.id} onClick={() => setSelected(e.id)}>
                {e.name}
              </button>{' '}
              <span className="muted">
                {e.control.version} vs {e.treatment.version} · {e.state} · started {formatAgo(e.started_at)} by {e.created_by}
              </span>
            </li>
          ))}
        </ul>
      )}
      {current && <ExperimentResultsView key={current.id} experiment={current} modelName={modelName} canWrite={canWrite} />}
    </section>
  );
}
