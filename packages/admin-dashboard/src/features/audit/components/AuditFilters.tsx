import { type FormEvent, useId, useState } from 'react';
import { FieldError, invalidProps } from '../../../components/FieldError.tsx';
import type { AuditQuery } from '../api/get-audit-log.ts';
import { filterProblem, fromLocalInput, KNOWN_ACTIONS, toLocalInput } from '../utils/audit-filters.ts';

interface Props {
  filters: AuditQuery;
  onApply: (f: AuditQuery) => void;
  /** Tenants and actors seen in the loaded entries, offered as suggestions. */
  tenants: readonly string[];
  actors: readonly string[];
}

/** Actor, action, tenant and time range; applied together (Apply / Enter), like the monitor's filters. */
export function AuditFilters({ filters, onApply, tenants, actors }: Props) {
  const id = useId();
  const [draft, setDraft] = useState({
    tenant_id: filters.tenant_id ?? '',
    actor: filters.actor ?? '',
    action: filters.action ?? '',
    from: toLocalInput(filters.from),
    to: toLocalInput(filters.to),
  });
  const [error, setError] = useState<string | undefined>();
  const set = (k: keyof typeof draft) => (e: { target: { value: string } }) => setDraft((d) => ({ ...d, [k]: e.target.value }));
  const f = (n: string) => `${id}-${n}`;

  const submit = (e: FormEvent) => {
    e.preventDefault();
    const next: AuditQuery = {
      tenant_id: draft.tenant_id.trim() || undefined,
      actor: draft.actor.trim() || undefined,
      action: draft.action.trim() || undefined,
      from: fromLocalInput(draft.from),
      to: fromLocalInput(draft.to),
    };
    const problem = filterProblem(next) ?? undefined;
    setError(problem);
    if (!problem) onApply(next);
  };
  const clear = () => {
    setDraft({ tenant_id: '', actor: '', action: '', from: '', to: '' });
    setError(undefined);
    onApply({});
  };

  return (
    <form className="audit-filters" onSubmit={submit} aria-label="Audit filters" noValidate>
      <div className="field">
        <label htmlFor={f('tenant')}>Tenant</label>
        <input
          id={f('tenant')}
          list={f('tenants')}
          value={draft.tenant_id}
          onChange={set('tenant_id')}
          placeholder="every tenant"
          size={16}
        />
        <datalist id={f('tenants')}>
          {tenants.map((t) => (
            <option key={t} value={t} />
          ))}
        </datalist>
      </div>
      <div className="field">
        <label htmlFor={f('actor')}>Actor</label>
        <input id={f('actor')} list={f('actors')} value={draft.actor} onChange={set('actor')} placeholder="e.g. user:alice" size={16} />
        <datalist id={f('actors')}>
          {actors.map((a) => (
            <option key={a} value={a} />
          ))}
        </datalist>
      </div>
      <div className="field">
        <label htmlFor={f('action')}>Action</label>
        <input id={f('action')} list={f('actions')} value={draft.action} onChange={set('action')} placeholder="every action" size={16} />
        <datalist id={f('actions')}>
          {KNOWN_ACTIONS.map((a) => (
            <option key={a} value={a} />
          ))}
        </datalist>
      </div>
      <div className="field">
        <label htmlFor={f('from')}>From</label>
        <input id={f('from')} type="datetime-local" value={draft.from} onChange={set('from')} {...invalidProps(f('err'), error)} />
      </div>
      <div className="field">
        <label htmlFor={f('to')}>To</label>
        <input id={f('to')} type="datetime-local" value={draft.to} onChange={set('to')} {...invalidProps(f('err'), error)} />
      </div>
      <div className="field-actions">
        <button type="submit" className="primary">
          Apply
        </button>
        <button type="button" onClick={clear}>
          Clear
        </button>
      </div>
      <FieldError id={f('err')} message={error} />
    </form>
  );
}
