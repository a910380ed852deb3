import { type FormEvent, useId, useState } from 'react';
import { type EventStatusFilter, type MonitorFilters, STATUSES } from '../hooks/monitor-filters.ts';

/** Stages the pipeline draws; others seen on the server appear from the metrics. */
const KNOWN_STAGES = ['ingest', 'parse', 'embed', 'policy', 'output'];

function isoToLocalInput(iso: string | undefined): string {
  if (!iso) return '';
  const d = new Date(iso);
  const off = d.getTimezoneOffset() * 60_000;
  return new Date(d.getTime() - off).toISOString().slice(0, 16);
}
function localInputToIso(v: string): string | undefined {
  if (!v) return undefined;
  const d = new Date(v);
  return Number.isNaN(d.getTime()) ? undefined : d.toISOString();
}

interface Props {
  filters: MonitorFilters;
  onApply: (next: MonitorFilters) => void;
  models: readonly string[];
  operations: readonly string[];
  stages: readonly string[];
}

/**
 * The monitor's filters. Edits are applied together (Apply or Enter) so typing a
 * document id does not reconnect the stream on every key; the result goes to the
 * URL and from there to the server. Mount with `key={location.search}` so Back/
 * Forward resets the form.
 */
export function FilterBar({ filters, onApply, models, operations, stages }: Props) {
  const id = useId();
  const [draft, setDraft] = useState(() => ({
    ...filters,
    fromLocal: isoToLocalInput(filters.from),
    toLocal: isoToLocalInput(filters.to),
  }));
  const set = (k: keyof typeof draft) => (e: { target: { value: string } }) =>
    setDraft((d) => ({ ...d, [k]: e.target.value || undefined }));

  const submit = (e: FormEvent) => {
    e.preventDefault();
    const { fromLocal, toLocal, ...rest } = draft;
    onApply({ ...rest, from: localInputToIso(fromLocal ?? ''), to: localInputToIso(toLocal ?? '') });
  };
  const clear = () => onApply({ window: filters.window, tenant_id: filters.tenant_id });
  const allStages = [...new Set([...KNOWN_STAGES, ...stages])];

  const field = (key: keyof typeof draft, label: string, extra: Record<string, unknown> = {}) => (
    <div className="field">
      <label htmlFor={`${id}-${key}`}>{label}</label>
      <input
        id={`${id}-${key}`}
        name={key}
        value={(draft[key] as string | undefined) ?? ''}
        onChange={set(key)}
        autoComplete="off"
        {...extra}
      />
    </div>
  );

  return (
    <form className="filter-bar" aria-label="Event filters" onSubmit={submit}>
      {field('model_name', 'Model', { list: `${id}-models` })}
      <datalist id={`${id}-models`}>
        {models.map((m) => (
          <option key={m} value={m} />
        ))}
      </datalist>
      {field('model_version', 'Version', { size: 8 })}
      {field('operation', 'Operation', { list: `${id}-ops`, size: 10 })}
      <datalist id={`${id}-ops`}>
        {operations.map((m) => (
          <option key={m} value={m} />
        ))}
      </datalist>
      <div className="field">
        <label htmlFor={`${id}-stage`}>Stage</label>
        <select id={`${id}-stage`} name="stage" value={draft.stage ?? ''} onChange={set('stage')}>
          <option value="">any</option>
          {allStages.map((s) => (
            <option key={s} value={s}>
              {s}
            </option>
          ))}
        </select>
      </div>
      <div className="field">
        <label htmlFor={`${id}-status`}>Status</label>
        <select
          id={`${id}-status`}
          name="status"
          value={draft.status ?? ''}
          onChange={(e) => setDraft((d) => ({ ...d, status: (e.target.value || undefined) as EventStatusFilter | undefined }))}
        >
          <option value="">any</option>
          {STATUSES.map((s) => (
            <option key={s} value={s}>
              {s}
            </option>
          ))}
        </select>
      </div>
      {field('document_prefix', 'Document id starts with', { type: 'search', size: 14 })}
      {field('document_id', 'Exact document id', { size: 14 })}
      {field('fromLocal', 'From', { type: 'datetime-local' })}
      {field('toLocal', 'To', { type: 'datetime-local' })}
      <div className="field-actions">
        <button type="submit" className="primary">
          Apply filters
        </button>
        <button type="button" onClick={clear}>
          Clear
        </button>
      </div>
    </form>
  );
}
