import type { Alert } from '@frostbyte/contracts';
import { useEffect, useMemo, useState } from 'react';
import { ErrorBanner } from '../../../components/ErrorBanner.tsx';
import { latestAlerts, mergeAlerts } from '../../../lib/alerts.ts';
import { useLiveStream } from '../../../lib/live-stream.tsx';
import { usePermission } from '../../../lib/permissions.tsx';
import { useActiveAlerts } from '../api/get-alerts.ts';
import { useUpdateAlert } from '../api/update-alert.ts';
import { AlertItem } from './AlertItem.tsx';
import '../alerts.css';

const SHOWN = 5;

/**
 * The active alerts on every page: `GET /v1/alerts?state=active` merged with the
 * `alert` frames of the live stream (latest state wins, resolved ones leave), with
 * Acknowledge / Resolve when the user has `alerts:write`. Announced politely. Placed
 * on every page by `app/shell/AppShell.tsx`.
 */
export function AlertsArea() {
  const client = useLiveStream();
  const canRead = usePermission('alerts:read');
  const canWrite = usePermission('alerts:write');
  const listed = useActiveAlerts(canRead);
  const [live, setLive] = useState<Alert[]>([]);
  const [dismissed, setDismissed] = useState<Set<string>>(() => new Set());
  const [expanded, setExpanded] = useState(false);
  const update = useUpdateAlert((a) => setLive((prev) => latestAlerts(prev, [a])));

  useEffect(
    () =>
      client.subscribe((b) => {
        if (b.alerts.length) setLive((prev) => latestAlerts(prev, b.alerts).slice(-500));
      }),
    [client],
  );

  const alerts = useMemo(
    () => mergeAlerts(listed.data?.alerts ?? [], live).filter((a) => !dismissed.has(a.id)),
    [listed.data, live, dismissed],
  );
  const visible = expanded ? alerts : alerts.slice(0, SHOWN);

  return (
    <section className="alerts" aria-label="Alerts">
      {listed.isError && !listed.data && (
        <ErrorBanner title="Alerts could not be loaded" error={listed.error} onRetry={() => void listed.refetch()} />
      )}
      {update.isError && <ErrorBanner title="The alert was not updated" error={update.error} />}
      <ul className="alert-list" aria-live="polite">
        {visible.map((a) => (
          <AlertItem
            key={a.id}
            alert={a}
            canWrite={canWrite}
            busy={update.isPending && update.variables?.id === a.id}
            onAction={(action) => update.mutate({ id: a.id, action })}
            onDismiss={() => setDismissed((s) => new Set(s).add(a.id))}
          />
        ))}
      </ul>
      {alerts.length > SHOWN && (
        <button type="button" className="link-button" aria-expanded={expanded} onClick={() => setExpanded(!expanded)}>
          {expanded ? 'Show fewer alerts' : `Show all ${alerts.length} alerts`}
        </button>
      )}
    </section>
  );
}
