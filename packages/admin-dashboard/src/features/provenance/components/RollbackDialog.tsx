import type { ModelVersion } from '@frostbyte/contracts';
import { type FormEvent, type KeyboardEvent, useEffect, useId, useMemo, useRef, useState } from 'react';
import { ErrorBanner } from '../../../components/ErrorBanner.tsx';
import { FieldError, invalidProps } from '../../../components/FieldError.tsx';
import { useRollbackPreview } from '../api/preview-rollback.ts';
import { parseRollbackInput, useRollback } from '../api/rollback.ts';
import { RollbackFigures } from './RollbackFigures.tsx';

interface Props {
  modelName: string;
  versions: readonly ModelVersion[];
  onClose: () => void;
}

/**
 * The rollback impact preview, then Confirm or Cancel. The preview is asked again
 * whenever the target changes; Confirm sends the preview's
 * `expected_current_version`, so if someone deployed in between the server refuses
 * (409) instead of rolling back something the user never saw.
 */
export function RollbackDialog({ modelName, versions, onClose }: Props) {
  const id = useId();
  const [target, setTarget] = useState('');
  const [reason, setReason] = useState('');
  const [error, setError] = useState<string | undefined>();
  const body = useMemo(() => (target ? { to_version: target } : {}), [target]);
  const preview = useRollbackPreview(modelName, body, true);
  const mutation = useRollback(modelName);
  const heading = useRef<HTMLHeadingElement>(null);
  const opener = useRef<Element | null>(null);

  useEffect(() => {
    opener.current = document.activeElement;
    heading.current?.focus();
    return () => (opener.current as HTMLElement | null)?.focus?.();
  }, []);

  const p = preview.data;
  const confirm = (e: FormEvent) => {
    e.preventDefault();
    if (!p) return;
    const { body: rb, errors } = parseRollbackInput({
      toVersion: p.target_version,
      tenants: null,
      reason,
      expectedCurrent: p.expected_current_version,
    });
    setError(errors.reason ?? errors.toVersion);
    if (rb) mutation.mutate(rb, { onSuccess: onClose });
  };
  const onKey = (e: KeyboardEvent) => {
    if (e.key === 'Escape') onClose();
  };
  const f = (n: string) => `${id}-${n}`;

  return (
    <div className="dialog-backdrop">
      <div className="dialog" role="dialog" aria-modal="true" aria-labelledby={f('title')} onKeyDown={onKey}>
        <h2 id={f('title')} ref={heading} tabIndex={-1}>
          Roll back {modelName}
          {p ? `: ${p.current_version} → ${p.target_version}` : ''}
        </h2>
        <form onSubmit={confirm} noValidate>
          <div className="field inline">
            <label htmlFor={f('target')}>Roll back to</label>
            <select id={f('target')} value={target} onChange={(e) => setTarget(e.target.value)}>
              <option value="">the previous version{p && !target ? ` (${p.target_version})` : ''}</option>
              {[...versions].reverse().map((v) => (
                <option key={v.version} value={v.version} disabled={v.version === p?.current_version}>
                  {v.version}
                </option>
              ))}
            </select>
          </div>
          {preview.isError && <ErrorBanner title="No impact preview" error={preview.error} onRetry={() => void preview.refetch()} />}
          {!p && !preview.isError && <p role="status">Working out the impact…</p>}
          {p && <RollbackFigures preview={p} />}
          <div className="field">
            <label htmlFor={f('reason')}>Why roll back</label>
            <input id={f('reason')} value={reason} onChange={(e) => setReason(e.target.value)} {...invalidProps(f('reason-err'), error)} />
            <FieldError id={f('reason-err')} message={error} />
          </div>
          {mutation.isError && <ErrorBanner title="Not rolled back" error={mutation.error} />}
          <div className="field-actions">
            <button type="submit" className="primary" disabled={!p || mutation.isPending || preview.isFetching}>
              {mutation.isPending ? 'Rolling back…' : 'Confirm rollback'}
            </button>
            <button type="button" onClick={onClose}>
              Cancel
            </button>
          </div>
        </form>
      </div>
    </div>
  );
}
