import { type FormEvent, useId, useState } from 'react';
import { ErrorBanner } from '../../../components/ErrorBanner.tsx';
import { FieldError, invalidProps } from '../../../components/FieldError.tsx';
import { formatDateTime } from '../../../lib/format.ts';
import { usePermission } from '../../../lib/permissions.tsx';
import {
  type DocumentStatus,
  type EraseResult,
  MAX_HOLD_REASON,
  parseHoldInput,
  parseLookupInput,
  useDocument,
  useEraseDocument,
  useHoldDocument,
  useReleaseDocument,
} from '../api/document-controls.ts';
import { EraseDialog } from './EraseDialog.tsx';

/** Look a document up (tenant + id), see whether it is held or erased, and — with
 * `documents:hold` / `documents:erase` — hold it, release it or erase it. */
export function DocumentControls({ defaultTenant }: { defaultTenant: string }) {
  const id = useId();
  const [draft, setDraft] = useState({ tenant: defaultTenant, document: '' });
  const [errors, setErrors] = useState<{ tenant?: string; document?: string }>({});
  const [doc, setDoc] = useState<{ tenant: string; document: string } | null>(null);
  const status = useDocument(doc?.tenant ?? '', doc?.document ?? '');

  const lookUp = (e: FormEvent) => {
    e.preventDefault();
    const { value, errors: errs } = parseLookupInput(draft);
    setErrors(errs);
    if (value) setDoc(value);
    if (value && doc && value.tenant === doc.tenant && value.document === doc.document) void status.refetch();
  };
  const f = (n: string) => `${id}-${n}`;

  return (
    <div className="document-controls">
      <form className="audit-lookup" onSubmit={lookUp} aria-label="Look up a document" noValidate>
        <div className="field">
          <label htmlFor={f('tenant')}>Tenant</label>
          <input
            id={f('tenant')}
            value={draft.tenant}
            size={16}
            onChange={(e) => setDraft((d) => ({ ...d, tenant: e.target.value }))}
            {...invalidProps(f('tenant-err'), errors.tenant)}
          />
          <FieldError id={f('tenant-err')} message={errors.tenant} />
        </div>
        <div className="field grow">
          <label htmlFor={f('doc')}>Document id</label>
          <input
            id={f('doc')}
            value={draft.document}
            onChange={(e) => setDraft((d) => ({ ...d, document: e.target.value }))}
            {...invalidProps(f('doc-err'), errors.document)}
          />
          <FieldError id={f('doc-err')} message={errors.document} />
        </div>
        <div className="field-actions">
          <button type="submit">Look up</button>
        </div>
      </form>
      {doc && status.isPending && <p role="status">Looking up {doc.document}…</p>}
      {doc && status.isError && (
        <ErrorBanner title={`Document ${doc.document}`} error={status.error} onRetry={() => void status.refetch()} />
      )}
      {doc && status.data && <DocumentCard key={`${doc.tenant}|${doc.document}`} status={status.data} />}
    </div>
  );
}

function DocumentCard({ status: s }: { status: DocumentStatus }) {
  const id = useId();
  const canHold = usePermission('documents:hold');
  const canErase = usePermission('documents:erase');
  const hold = useHoldDocument(s.tenant_id, s.document_id);
  const release = useReleaseDocument(s.tenant_id, s.document_id);
  const erase = useEraseDocument(s.tenant_id, s.document_id);
  const [reason, setReason] = useState('');
  const [reasonError, setReasonError] = useState<string | undefined>();
  const [erasing, setErasing] = useState(false);
  const [erased, setErased] = useState<EraseResult | null>(null);

  const submitHold = (e: FormEvent) => {
    e.preventDefault();
    const { reason: r, error } = parseHoldInput(reason);
    setReasonError(error);
    if (r) hold.mutate(r, { onSuccess: () => setReason('') });
  };

  return (
    <section className="card document-card" aria-labelledby={`${id}-title`} data-document={s.document_id}>
      <h3 id={`${id}-title`}>
        <code>{s.document_id}</code> <span className="muted">in {s.tenant_id}</span>
      </h3>
      <dl className="document-facts">
        <dt>Events</dt>
        <dd>{s.events}</dd>
        <dt>Legal hold</dt>
        <dd data-testid="document-held">
          {s.held ? (
            <span className="badge badge-abandoned">
              <span aria-hidden="true">‖</span> held
            </span>
          ) : (
            'not held'
          )}
          {s.held && (
            <>
              {' '}
              since {formatDateTime(s.held_at)}
              {s.hold_reason ? ` — ${s.hold_reason}` : ''}
            </>
          )}
        </dd>
        <dt>Erasure</dt>
        <dd data-testid="document-erased">
          {s.erased ? (
            <span className="badge badge-failed">
              <span aria-hidden="true">✕</span> erased
            </span>
          ) : (
            'payloads readable'
          )}
          {s.erased && <> on {formatDateTime(s.erased_at)}: the events keep their metadata, their payloads are gone.</>}
        </dd>
      </dl>
      {erased && (
        <p role="status" className="banner banner-info">
          Erased: {erased.erased_events} events, {erased.erased_traces} trace payloads, at {formatDateTime(erased.erased_at)}.
        </p>
      )}

      {canHold && !s.held && (
        <form className="hold-form" onSubmit={submitHold} noValidate aria-label={`Hold ${s.document_id}`}>
          <div className="field grow">
            <label htmlFor={`${id}-reason`}>Reason for the hold</label>
            <input
              id={`${id}-reason`}
              value={reason}
              maxLength={MAX_HOLD_REASON + 50}
              placeholder="e.g. litigation 2026-17, keep until released"
              onChange={(e) => setReason(e.target.value)}
              {...invalidProps(`${id}-reason-err`, reasonError)}
            />
            <FieldError id={`${id}-reason-err`} message={reasonError} />
          </div>
          <div className="field-actions">
            <button type="submit" disabled={hold.isPending}>
              {hold.isPending ? 'Holding…' : 'Put under legal hold'}
            </button>
          </div>
        </form>
      )}
      {hold.isError && <ErrorBanner title="Not held" error={hold.error} />}
      {release.isError && <ErrorBanner title="Not released" error={release.error} />}
      <div className="field-actions">
        {canHold && s.held && (
          <button type="button" onClick={() => release.mutate(undefined)} disabled={release.isPending}>
            {release.isPending ? 'Releasing…' : 'Release the hold'}
          </button>
        )}
        {canErase && !s.erased && (
          <button type="button" className="danger" onClick={() => setErasing(true)}>
            Erase…
          </button>
        )}
      </div>
      {canErase && s.held && !s.erased && (
        <p className="muted">Held documents cannot be erased: the server refuses until the hold is released.</p>
      )}
      {!canHold && !canErase && (
        <p className="muted">Holding and erasing need the documents:hold and documents:erase permissions (admin, compliance officer).</p>
      )}
      {erasing && (
        <EraseDialog
          tenant={s.tenant_id}
          document={s.document_id}
          events={s.events}
          pending={erase.isPending}
          error={erase.error}
          onConfirm={() =>
            erase.mutate(undefined, {
              onSuccess: (r) => {
                setErased(r);
                setErasing(false);
              },
            })
          }
          onClose={() => {
            erase.reset();
            setErasing(false);
          }}
        />
      )}
    </section>
  );
}
