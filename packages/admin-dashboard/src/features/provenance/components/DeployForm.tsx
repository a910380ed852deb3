import type { ModelVersion } from '@frostbyte/contracts';
import { type FormEvent, useId, useState } from 'react';
import { ErrorBanner } from '../../../components/ErrorBanner.tsx';
import { FieldError, invalidProps } from '../../../components/FieldError.tsx';
import { type DeployField, type DeployInput, parseDeployInput, useDeployVersion } from '../api/deploy-version.ts';
import type { FieldErrors } from '../api/registry-keys.ts';

interface Props {
  modelName: string;
  versions: readonly ModelVersion[];
  initialVersion: string;
  /** The version active for every tenant now, sent as `expected_current_version` (409 if it moved). */
  currentVersion: string | null;
  onDone: () => void;
  onCancel: () => void;
}

/** Make a version active for a stage: every tenant, or the ones named; with a reason. */
export function DeployForm({ modelName, versions, initialVersion, currentVersion, onDone, onCancel }: Props) {
  const id = useId();
  const mutation = useDeployVersion(modelName);
  const [input, setInput] = useState<DeployInput>({ version: initialVersion, scope: 'all', tenants: '', reason: '' });
  const [errors, setErrors] = useState<FieldErrors<DeployField>>({});
  const f = (name: string) => `${id}-${name}`;

  const submit = (e: FormEvent) => {
    e.preventDefault();
    const { body, errors: errs } = parseDeployInput({
      ...input,
      expectedCurrent: input.scope === 'all' && currentVersion ? currentVersion : undefined,
    });
    setErrors(errs);
    if (body) mutation.mutate(body, { onSuccess: onDone });
  };

  return (
    <form className="card form" onSubmit={submit} aria-labelledby={f('title')} noValidate>
      <h3 id={f('title')}>Deploy {modelName}</h3>
      <div className="field">
        <label htmlFor={f('version')}>Version to deploy</label>
        <select
          id={f('version')}
          value={input.version}
          onChange={(e) => setInput({ ...input, version: e.target.value })}
          {...invalidProps(f('version-err'), errors.version)}
        >
          {[...versions].reverse().map((v) => (
            <option key={v.version} value={v.version}>
              {v.version}
              {v.active_for.length ? ' (active)' : ''}
            </option>
          ))}
        </select>
        <FieldError id={f('version-err')} message={errors.version} />
      </div>
      <fieldset className="field">
        <legend>For</legend>
        <label>
          <input type="radio" name={f('scope')} checked={input.scope === 'all'} onChange={() => setInput({ ...input, scope: 'all' })} />{' '}
          every tenant
        </label>
        <label>
          <input type="radio" name={f('scope')} checked={input.scope === 'some'} onChange={() => setInput({ ...input, scope: 'some' })} />{' '}
          only these tenants
        </label>
        {input.scope === 'some' && (
          <>
            <label htmlFor={f('tenants')}>Tenants (comma-separated)</label>
            <input
              id={f('tenants')}
              value={input.tenants}
              onChange={(e) => setInput({ ...input, tenants: e.target.value })}
              {...invalidProps(f('tenants-err'), errors.tenants)}
            />
            <FieldError id={f('tenants-err')} message={errors.tenants} />
          </>
        )}
      </fieldset>
      <div className="field">
        <label htmlFor={f('reason')}>Why</label>
        <input
          id={f('reason')}
          value={input.reason}
          onChange={(e) => setInput({ ...input, reason: e.target.value })}
          {...invalidProps(f('reason-err'), errors.reason)}
        />
        <FieldError id={f('reason-err')} message={errors.reason} />
      </div>
      {mutation.isError && <ErrorBanner title="Not deployed" error={mutation.error} />}
      <div className="field-actions">
        <button type="submit" className="primary" disabled={mutation.isPending}>
          {mutation.isPending ? 'Deploying…' : 'Deploy'}
        </button>
        <button type="button" onClick={onCancel}>
          Cancel
        </button>
      </div>
    </form>
  );
}
