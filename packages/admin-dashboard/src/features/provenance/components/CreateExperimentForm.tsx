import type { ModelVersion } from '@frostbyte/contracts';
import { type FormEvent, useId, useState } from 'react';
import { ErrorBanner } from '../../../components/ErrorBanner.tsx';
import { FieldError, invalidProps } from '../../../components/FieldError.tsx';
import {
  type CreateExperimentField,
  type CreateExperimentInput,
  parseCreateExperimentInput,
  useCreateExperiment,
} from '../api/create-experiment.ts';
import type { FieldErrors } from '../api/registry-keys.ts';

interface Props {
  modelName: string;
  stage: string;
  versions: readonly ModelVersion[];
  onDone: (experimentId: string) => void;
}

/** Start an A/B split between two versions of the model's stage. */
export function CreateExperimentForm({ modelName, stage, versions, onDone }: Props) {
  const id = useId();
  const active = versions.find((v) => v.active_for.includes('*'))?.version ?? versions[versions.length - 1]?.version ?? '';
  const other = [...versions].reverse().find((v) => v.version !== active)?.version ?? '';
  const [input, setInput] = useState<CreateExperimentInput>({
    name: '',
    modelName,
    stage,
    control: active,
    treatment: other,
    percent: '20',
    tenants: '',
    reason: '',
  });
  const [errors, setErrors] = useState<FieldErrors<CreateExperimentField>>({});
  const mutation = useCreateExperiment(modelName);
  const f = (n: string) => `${id}-${n}`;
  const set = (k: keyof CreateExperimentInput) => (e: { target: { value: string } }) => setInput({ ...input, [k]: e.target.value });

  const submit = (e: FormEvent) => {
    e.preventDefault();
    const { body, errors: errs } = parseCreateExperimentInput(input);
    setErrors(errs);
    if (body) mutation.mutate(body, { onSuccess: (r) => onDone(r.experiment.id) });
  };
  const versionSelect = (k: 'control' | 'treatment', label: string) => (
    <div className="field">
      <label htmlFor={f(k)}>{label}</label>
      <select id={f(k)} value={input[k]} onChange={set(k)} {...invalidProps(f(`${k}-err`), errors[k])}>
        <option value="">Choose…</option>
        {[...versions].reverse().map((v) => (
          <option key={v.version} value={v.version}>
            {v.version}
          </option>
        ))}
      </select>
      <FieldError id={f(`${k}-err`)} message={errors[k]} />
    </div>
  );

  return (
    <form className="card form" onSubmit={submit} aria-labelledby={f('title')} noValidate>
      <h3 id={f('title')}>Start an A/B experiment on {stage}</h3>
      <div className="field">
        <label htmlFor={f('name')}>Name</label>
        <input id={f('name')} value={input.name} onChange={set('name')} {...invalidProps(f('name-err'), errors.name)} />
        <FieldError id={f('name-err')} message={errors.name} />
      </div>
      <div className="form-row">
        {versionSelect('control', 'Control version')}
        {versionSelect('treatment', 'Treatment version')}
        <div className="field">
          <label htmlFor={f('percent')}>Documents to the treatment (%)</label>
          <input
            id={f('percent')}
            inputMode="decimal"
            value={input.percent}
            onChange={set('percent')}
            {...invalidProps(f('percent-err'), errors.percent)}
          />
          <FieldError id={f('percent-err')} message={errors.percent} />
        </div>
      </div>
      <div className="field">
        <label htmlFor={f('tenants')}>Tenants (comma-separated; empty = every tenant)</label>
        <input id={f('tenants')} value={input.tenants} onChange={set('tenants')} {...invalidProps(f('tenants-err'), errors.tenants)} />
        <FieldError id={f('tenants-err')} message={errors.tenants} />
      </div>
      <div className="field">
        <label htmlFor={f('reason')}>Why</label>
        <input id={f('reason')} value={input.reason} onChange={set('reason')} {...invalidProps(f('reason-err'), errors.reason)} />
        <FieldError id={f('reason-err')} message={errors.reason} />
      </div>
      {mutation.isError && <ErrorBanner title="The experiment was not started" error={mutation.error} />}
      <div className="field-actions">
        <button type="submit" className="primary" disabled={mutation.isPending}>
          {mutation.isPending ? 'Starting…' : 'Start experiment'}
        </button>
      </div>
    </form>
  );
}
