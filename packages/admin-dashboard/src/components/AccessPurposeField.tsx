import { type FormEvent, useEffect, useId, useState, useSyncExternalStore } from 'react';
import { getPurpose, MAX_PURPOSE_CHARS, setPurpose, subscribePurpose } from '../lib/access-purpose.ts';

/** Subscribes to the session's purpose of access (lib/access-purpose.ts). */
export function useAccessPurpose(): string {
  return useSyncExternalStore(subscribePurpose, getPurpose, () => '');
}

/**
 * "Purpose of access": why the user is reading traces. Stored for the browser session
 * and sent with every API request as `X-Access-Purpose`, so each `trace.read` audit
 * entry says why. Applied on Enter or when the field loses focus, like the tenant.
 */
export function AccessPurposeField() {
  const id = useId();
  const current = useAccessPurpose();
  const [draft, setDraft] = useState(current);
  const [problem, setProblem] = useState<string | null>(null);
  useEffect(() => setDraft(current), [current]);

  const apply = () => {
    if (draft.trim() === current) return setProblem(null);
    setProblem(setPurpose(draft));
  };
  const submit = (e: FormEvent) => {
    e.preventDefault();
    apply();
  };
  return (
    <form className="field inline purpose-field" onSubmit={submit} aria-label="Purpose of access">
      <label htmlFor={id}>Purpose</label>
      <input
        id={id}
        value={draft}
        maxLength={MAX_PURPOSE_CHARS + 20}
        placeholder="why you read traces"
        title="Recorded with every trace you open (X-Access-Purpose)"
        size={18}
        onChange={(e) => setDraft(e.target.value)}
        onBlur={apply}
        aria-invalid={problem ? true : undefined}
        aria-describedby={problem ? `${id}-err` : undefined}
      />
      {problem && (
        <span id={`${id}-err`} className="field-error" role="alert">
          {problem}
        </span>
      )}
    </form>
  );
}
