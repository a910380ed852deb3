import { type FormEvent, useId, useState } from 'react';
import { ErrorBanner } from '../../../components/ErrorBanner.tsx';
import { FieldError, invalidProps } from '../../../components/FieldError.tsx';
import {
  PRICING_KEYS,
  parseRegisterVersionInput,
  type RegisterVersionField,
  type RegisterVersionInput,
  useRegisterVersion,
} from '../api/register-version.ts';
import type { FieldErrors } from '../api/registry-keys.ts';

const PRICE_LABEL: Record<(typeof PRICING_KEYS)[number], string> = {
  input_per_1k: 'Input, per 1k tokens',
  output_per_1k: 'Output, per 1k tokens',
  cached_input_per_1k: 'Cached read, per 1k tokens (empty: input price)',
  cache_write_per_1k: 'Cache write, per 1k tokens (empty: input price)',
  reasoning_per_1k: 'Reasoning, per 1k tokens (empty: output price)',
  per_page: 'Per page',
  per_call: 'Per call',
};

/** Register a new (immutable) version: configuration as JSON, prices in USD, why.
 * Starts from the latest version's configuration so a change is one edit. */
export function RegisterVersionForm({
  modelName,
  baseConfig,
  onDone,
}: {
  modelName: string;
  baseConfig: Record<string, unknown>;
  onDone: (version: string) => void;
}) {
  const id = useId();
  const mutation = useRegisterVersion(modelName);
  const [input, setInput] = useState<RegisterVersionInput>({
    version: '',
    config: JSON.stringify(baseConfig, null, 2),
    pricing: {},
    reason: '',
  });
  const [errors, setErrors] = useState<FieldErrors<RegisterVersionField>>({});

  const submit = (e: FormEvent) => {
    e.preventDefault();
    const { body, errors: errs } = parseRegisterVersionInput(input);
    setErrors(errs);
    if (body) mutation.mutate(body, { onSuccess: (v) => onDone(v.version) });
  };
  const f = (name: string) => `${id}-${name}`;

  return (
    <form className="card form" onSubmit={submit} aria-labelledby={f('title')} noValidate>
      <h3 id={f('title')}>Register a version of {modelName}</h3>
      <div className="field">
        <label htmlFor={f('version')}>Version</label>
        <input
          id={f('version')}
          value={input.version}
          onChange={(e) => setInput({ ...input, version: e.target.value })}
          {...invalidProps(f('version-err'), errors.version)}
        />
        <FieldError id={f('version-err')} message={errors.version} />
      </div>
      <div className="field">
        <label htmlFor={f('config')}>Configuration (JSON)</label>
        <textarea
          id={f('config')}
          className="mono"
          rows={8}
          spellCheck={false}
          value={input.config}
          onChange={(e) => setInput({ ...input, config: e.target.value })}
          {...invalidProps(f('config-err'), errors.config)}
        />
        <FieldError id={f('config-err')} message={errors.config} />
      </div>
      <fieldset className="field prices">
        <legend>Prices (USD, leave empty if not charged)</legend>
        {PRICING_KEYS.map((k) => (
          <div className="field" key={k}>
            <label htmlFor={f(k)}>{PRICE_LABEL[k]}</label>
            <input
              id={f(k)}
              inputMode="decimal"
              value={input.pricing[k] ?? ''}
              onChange={(e) => setInput({ ...input, pricing: { ...input.pricing, [k]: e.target.value } })}
              {...invalidProps(f(`${k}-err`), errors[k])}
            />
            <FieldError id={f(`${k}-err`)} message={errors[k]} />
          </div>
        ))}
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
      {mutation.isError && <ErrorBanner title="The version was not registered" error={mutation.error} />}
      <div className="field-actions">
        <button type="submit" className="primary" disabled={mutation.isPending}>
          {mutation.isPending ? 'Registering…' : 'Register version'}
        </button>
      </div>
    </form>
  );
}
