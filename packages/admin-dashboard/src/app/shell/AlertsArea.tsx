import type { Alert } from '@frostbyte/contracts';
import { useEffect, useState } from 'react';
import { formatAgo } from '../../lib/format.ts';
import { useLiveStream } from '../../lib/live-stream.tsx';

/** Alerts pushed on the live stream. The latest state of each alert wins; resolved
 * and dismissed ones leave. Announced politely, once per alert. */
export function AlertsArea() {
  const client = useLiveStream();
  const [alerts, setAlerts] = useState<Alert[]>([]);
  const [dismissed, setDismissed] = useState<Set<string>>(() => new Set());

  useEffect(
    () =>
      client.subscribe((b) => {
        if (!b.alerts.length) return;
        setAlerts((prev) => {
          const map = new Map(prev.map((a) => [a.id, a]));
          for (const a of b.alerts) map.set(a.id, a);
          return [...map.values()].filter((a) => a.state !== 'resolved').slice(-20);
        });
      }),
    [client],
  );

  const visible = alerts
    .filter((a) => !dismissed.has(a.id))
    .slice(-5)
    .reverse();
  return (
    <section className="alerts" aria-label="Alerts" aria-live="polite">
      {visible.map((a) => (
        <div key={a.id} className={`banner banner-${a.severity === 'critical' ? 'error' : a.severity === 'warning' ? 'warning' : 'info'}`}>
          <span>
            <strong>{a.severity}</strong> · {a.rule}
            {a.model_name ? ` · ${a.model_name}` : ''}: {a.message} <span className="muted">({formatAgo(a.updated_at)})</span>
          </span>
          <button type="button" onClick={() => setDismissed((s) => new Set(s).add(a.id))} aria-label={`Dismiss alert ${a.rule}`}>
            Dismiss
          </button>
        </div>
      ))}
    </section>
  );
}
