import type { Alert } from '@frostbyte/contracts';
import { SEVERITY_GLYPH } from '../../../lib/alerts.ts';
import { formatAgo } from '../../../lib/format.ts';

interface Props {
  alert: Alert;
  canWrite: boolean;
  busy: boolean;
  onAction: (action: 'ack' | 'resolve') => void;
  onDismiss: () => void;
}

/** One alert: severity by glyph and word, where (stage / model), what, since when;
 * Acknowledge / Resolve for those allowed, Dismiss (this tab only) for everyone. */
export function AlertItem({ alert: a, canWrite, busy, onAction, onDismiss }: Props) {
  const tone = a.severity === 'critical' ? 'error' : a.severity === 'warning' ? 'warning' : 'info';
  const where = [a.stage && `stage ${a.stage}`, a.model_name, a.tenant_id && `tenant ${a.tenant_id}`].filter(Boolean).join(' · ');
  return (
    <li className={`banner banner-${tone} alert-item`} data-alert-id={a.id} data-rule={a.rule} data-stage={a.stage ?? ''}>
      <span>
        <span aria-hidden="true">{SEVERITY_GLYPH[a.severity]} </span>
        <strong>{a.severity}</strong> · {a.rule}
        {where ? ` · ${where}` : ''}: {a.message}{' '}
        <span className="muted">
          ({a.state === 'acknowledged' ? 'acknowledged, ' : ''}opened {formatAgo(a.opened_at)})
        </span>
      </span>
      <span className="field-actions">
        {canWrite && a.state === 'open' && (
          <button
            type="button"
            disabled={busy}
            onClick={() => onAction('ack')}
            aria-label={`Acknowledge alert ${a.rule}${a.stage ? ` on ${a.stage}` : ''}`}
          >
            Acknowledge
          </button>
        )}
        {canWrite && (
          <button
            type="button"
            disabled={busy}
            onClick={() => onAction('resolve')}
            aria-label={`Resolve alert ${a.rule}${a.stage ? ` on ${a.stage}` : ''}`}
          >
            Resolve
          </button>
        )}
        <button type="button" onClick={onDismiss} aria-label={`Dismiss alert ${a.rule}${a.stage ? ` on ${a.stage}` : ''}`}>
          Dismiss
        </button>
      </span>
    </li>
  );
}
