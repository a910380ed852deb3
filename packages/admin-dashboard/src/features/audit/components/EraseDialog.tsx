import { type FormEvent, useEffect, useId, useRef, useState } from 'react';
import { ErrorBanner } from '../../../components/ErrorBanner.tsx';
import { eraseConfirmed } from '../api/document-controls.ts';

interface Props {
  tenant: string;
  document: string;
  events: number;
  pending: boolean;
  error: unknown;
  onConfirm: () => void;
  onClose: () => void;
}

/** Erasure cannot be undone, so it is confirmed by typing the document id; the server's
 * own refusal (409 while held) is shown as it says it. Escape or Cancel closes. */
export function EraseDialog({ tenant, document, events, pending, error, onConfirm, onClose }: Props) {
  const id = useId();
  const [typed, setTyped] = useState('');
  const heading = useRef<HTMLHeadingElement>(null);
  const opener = useRef<Element | null>(null);
  useEffect(() => {
    opener.current = window.document.activeElement;
    heading.current?.focus();
    return () => (opener.current as HTMLElement | null)?.focus?.();
  }, []);
  // Escape closes wherever focus is (a button disabled while the request runs drops focus to the page).
  const close = useRef(onClose);
  close.current = onClose;
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.key === 'Escape') close.current();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, []);
  const ok = eraseConfirmed(typed, document);
  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (ok && !pending) onConfirm();
  };
  return (
    <div className="audit-backdrop">
      <div className="audit-dialog" role="dialog" aria-modal="true" aria-labelledby={`${id}-title`} aria-describedby={`${id}-what`}>
        <h2 id={`${id}-title`} ref={heading} tabIndex={-1}>
          Erase document {document}
        </h2>
        <p id={`${id}-what`}>
          The trace payloads (inputs, outputs, rationale) of its {events} event{events === 1 ? '' : 's'} in tenant <strong>{tenant}</strong>{' '}
          are destroyed for good. The events keep their metadata, marked erased, and the erasure is recorded in the audit log.{' '}
          <strong>This cannot be undone.</strong>
        </p>
        <form onSubmit={submit} noValidate>
          <div className="field">
            <label htmlFor={`${id}-confirm`}>Type the document id to confirm</label>
            <input
              id={`${id}-confirm`}
              value={typed}
              onChange={(e) => setTyped(e.target.value)}
              autoComplete="off"
              spellCheck={false}
              aria-describedby={`${id}-hint`}
            />
            <span id={`${id}-hint`} className="muted">
              <code>{document}</code>
            </span>
          </div>
          {error ? <ErrorBanner title="Not erased" error={error} /> : null}
          <div className="field-actions">
            <button type="submit" className="danger" disabled={!ok || pending}>
              {pending ? 'Erasing…' : 'Erase for good'}
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
