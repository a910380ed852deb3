import { type FormEvent, useId, useState } from 'react';
import { ErrorBanner } from '../../../components/ErrorBanner.tsx';
import { formatAgo } from '../../../lib/format.ts';
import { usePermission, useSeesEveryTenant } from '../../../lib/permissions.tsx';
import { changedRules, RULE_FIELDS, type RuleKey, shown, useAlertRules, useChangeAlertRules } from '../api/alert-rules.ts';
import '../alerts.css';

/**
 * The thresholds the bottleneck detector and the alert rules judge by: in force and
 * default, who changed them last; editable by those who may write alerts and see every
 * tenant (one set of rules judges every tenant; the server refuses anyone else).
 */
export function AlertRulesPanel() {
  const id = useId();
  const q = useAlertRules();
  const change = useChangeAlertRules();
  const mayWrite = usePermission('alerts:write');
  const seesAll = useSeesEveryTenant();
  const canEdit = mayWrite && seesAll;
  const [draft, setDraft] = useState<Record<RuleKey, string> | null>(null);
  const [invalid, setInvalid] = useState<RuleKey | null>(null);
  const state = q.data;

  const startEditing = () => {
    if (!state) return;
    change.reset();
    setInvalid(null);
    setDraft(Object.fromEntries(RULE_FIELDS.map((f) => [f.key, String(shown(f, state.rules[f.key]))])) as Record<RuleKey, string>);
  };
  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (!state || !draft) return;
    const r = changedRules(state.rules, draft);
    if ('invalid' in r) return setInvalid(r.invalid);
    setInvalid(null);
    if (Object.keys(r.change).length === 0) return setDraft(null);
    change.mutate(r.change, { onSuccess: () => setDraft(null) });
  };

  return (
    <section className="card alert-rules" aria-labelledby={`${id}-title`}>
      <h2 id={`${id}-title`}>Alert rules</h2>
      {q.isError && <ErrorBanner title="Alert rules could not be loaded" error={q.error} onRetry={() => void q.refetch()} />}
      {state && (
        <>
          <p className="muted">
            {state.updated_at ? `Changed by ${state.updated_by} ${formatAgo(state.updated_at)}.` : 'The defaults apply.'} One set of rules
            judges each tenant's traffic and the whole pipeline's.
          </p>
          <form onSubmit={submit} noValidate aria-label="Alert thresholds">
            <table className="table rules-table">
              <thead>
                <tr>
                  <th scope="col">Threshold</th>
                  <th scope="col">In force</th>
                  <th scope="col">Default</th>
                </tr>
              </thead>
              <tbody>
                {RULE_FIELDS.map((f) => {
                  const changed = state.rules[f.key] !== state.defaults[f.key];
                  return (
                    <tr key={f.key} data-rule={f.key}>
                      <th scope="row">
                        <label htmlFor={`${id}-${f.key}`}>{f.label}</label>
                      </th>
                      <td>
                        {draft ? (
                          <input
                            id={`${id}-${f.key}`}
                            inputMode="decimal"
                            size={8}
                            value={draft[f.key]}
                            aria-invalid={invalid === f.key || undefined}
                            onChange={(e) => setDraft({ ...draft, [f.key]: e.target.value })}
                          />
                        ) : (
                          <span id={`${id}-${f.key}`} className={changed ? 'changed' : undefined}>
                            {shown(f, state.rules[f.key])}
                          </span>
                        )}{' '}
                        {f.unit}
                        {!draft && changed && <span className="muted"> (changed)</span>}
                      </td>
                      <td className="muted">
                        {shown(f, state.defaults[f.key])} {f.unit}
                      </td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
            {invalid && (
              <p role="alert" className="field-error">
                {RULE_FIELDS.find((f) => f.key === invalid)?.label}: enter a number.
              </p>
            )}
            {change.isError && <ErrorBanner title="Alert rules not changed" error={change.error} />}
            {canEdit && (
              <div className="field-actions">
                {draft ? (
                  <>
                    <button type="submit" className="primary" disabled={change.isPending}>
                      {change.isPending ? 'Saving…' : 'Save thresholds'}
                    </button>
                    <button type="button" onClick={() => setDraft(null)}>
                      Cancel
                    </button>
                  </>
                ) : (
                  <button type="button" onClick={startEditing}>
                    Change thresholds
                  </button>
                )}
                {!draft && state.updated_at && (
                  <button type="button" disabled={change.isPending} onClick={() => change.mutate('reset')}>
                    Back to the defaults
                  </button>
                )}
              </div>
            )}
          </form>
        </>
      )}
    </section>
  );
}
