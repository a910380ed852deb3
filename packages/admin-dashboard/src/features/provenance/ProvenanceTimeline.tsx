import { useMemo, useState } from 'react';
import { ErrorBanner } from '../../components/ErrorBanner.tsx';
import { usePermission } from '../../lib/permissions.tsx';
import { navigate, useLocation } from '../../lib/router.tsx';
import { useExperiments } from './api/get-experiments.ts';
import { useModelTimeline } from './api/get-model-timeline.ts';
import { useModelVersions } from './api/get-model-versions.ts';
import { useModels } from './api/get-models.ts';
import { DeployForm } from './components/DeployForm.tsx';
import { ExperimentsPanel } from './components/ExperimentsPanel.tsx';
import { ModelPicker } from './components/ModelPicker.tsx';
import { ProvenanceList } from './components/ProvenanceList.tsx';
import { RegisterVersionForm } from './components/RegisterVersionForm.tsx';
import { RollbackDialog } from './components/RollbackDialog.tsx';
import { VersionCompare } from './components/VersionCompare.tsx';
import { VersionsTable } from './components/VersionsTable.tsx';
import { mergeTimeline, scopeText } from './utils/provenance-timeline.ts';
import './provenance.css';

/**
 * Provenance of one model (`/provenance?model=<name>`): its versions and where each
 * is active, the timeline of every change (who, why, when), register / deploy /
 * roll back (with the impact preview first), compare two versions, and its A/B
 * experiments with their results. Writes are offered only with `registry:write`.
 */
export function ProvenanceTimeline() {
  const { search } = useLocation();
  const params = new URLSearchParams(search);
  const models = useModels();
  const list = models.data?.models ?? [];
  const name = params.get('model') ?? list[0]?.name ?? '';
  const model = list.find((m) => m.name === name);
  const canWrite = usePermission('registry:write');

  const versions = useModelVersions(name);
  const timeline = useModelTimeline(name);
  const experiments = useExperiments(name);
  const [compare, setCompare] = useState<string[]>([]);
  const [panel, setPanel] = useState<{ kind: 'register' } | { kind: 'deploy'; version: string } | { kind: 'rollback' } | null>(null);

  const entries = useMemo(
    () => mergeTimeline(timeline.data?.items ?? [], experiments.data?.experiments ?? [], name),
    [timeline.data, experiments.data, name],
  );
  const vs = versions.data?.versions ?? [];
  const everyone = vs.find((v) => v.active_for.includes('*'))?.version ?? null;

  const pickModel = (next: string) => {
    const q = new URLSearchParams(window.location.search);
    q.set('model', next);
    setCompare([]);
    setPanel(null);
    navigate(`/provenance?${q}`);
  };
  const toggleCompare = (v: string) => setCompare((c) => (c.includes(v) ? c.filter((x) => x !== v) : [...c, v].slice(-2)));

  return (
    <div className="page provenance-page">
      <h1>Provenance</h1>
      {models.isError && <ErrorBanner title="Models could not be loaded" error={models.error} onRetry={() => void models.refetch()} />}
      <div className="toolbar">
        <ModelPicker models={list} value={name} onChange={pickModel} />
        {model && (
          <p className="muted">
            Stage <strong>{model.stage}</strong> · active:{' '}
            {model.active.length
              ? model.active.map((a) => `${a.version} (${a.tenant === '*' ? 'every tenant' : a.tenant})`).join(', ')
              : 'nothing'}
          </p>
        )}
        {canWrite && name && (
          <div className="field-actions">
            <button type="button" onClick={() => setPanel({ kind: 'register' })}>
              Register a version…
            </button>
            <button type="button" onClick={() => setPanel({ kind: 'rollback' })} disabled={vs.length < 2}>
              Roll back…
            </button>
          </div>
        )}
      </div>

      {panel?.kind === 'register' && (
        <RegisterVersionForm
          key={name}
          modelName={name}
          baseConfig={vs[vs.length - 1]?.config ?? {}}
          onDone={(v) => setPanel({ kind: 'deploy', version: v })}
        />
      )}
      {panel?.kind === 'deploy' && (
        <DeployForm
          key={panel.version}
          modelName={name}
          versions={vs}
          initialVersion={panel.version}
          currentVersion={everyone}
          onDone={() => setPanel(null)}
          onCancel={() => setPanel(null)}
        />
      )}
      {panel?.kind === 'rollback' && <RollbackDialog modelName={name} versions={vs} onClose={() => setPanel(null)} />}

      <div className="provenance-grid">
        <div className="stack">
          <section aria-labelledby="versions-title">
            <h2 id="versions-title">Versions</h2>
            {versions.isError && (
              <ErrorBanner title="Versions could not be loaded" error={versions.error} onRetry={() => void versions.refetch()} />
            )}
            <VersionsTable
              versions={vs}
              compare={compare}
              onToggleCompare={toggleCompare}
              onDeploy={canWrite ? (v) => setPanel({ kind: 'deploy', version: v }) : undefined}
            />
            <p className="muted">
              {compare.length < 2 ? `Tick two versions to compare them (${compare.length} of 2).` : `Comparing ${compare.join(' and ')}.`}
              {everyone ? ` Active for every tenant: ${everyone}.` : ''}
            </p>
          </section>
          {compare.length === 2 && <VersionCompare modelName={name} a={compare[0] as string} b={compare[1] as string} />}
          {model && (
            <ExperimentsPanel
              modelName={name}
              stage={model.stage}
              versions={vs}
              experiments={experiments.data?.experiments ?? []}
              error={experiments.error}
              canWrite={canWrite}
            />
          )}
        </div>
        <section aria-labelledby="timeline-title" className="timeline-column">
          <h2 id="timeline-title">Timeline</h2>
          <p className="muted">
            Every change to {name || 'the model'}, newest first ({entries.length}). Use ↑ and ↓ to move through it. Deployments apply to{' '}
            {scopeText(null)} unless they name tenants.
          </p>
          {timeline.isError && (
            <ErrorBanner title="The timeline could not be loaded" error={timeline.error} onRetry={() => void timeline.refetch()} />
          )}
          <ProvenanceList entries={entries} />
        </section>
      </div>
    </div>
  );
}
