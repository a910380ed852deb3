import type { AlertRule } from './rule.ts';

/** Records the writer could not store and put in the quarantine within the window
 * (GET /v1/quarantine lists them): accepted events that are not in the history. Clears
 * once a window passes without one. */
export const writerQuarantine: AlertRule<'writer_quarantine'> = {
  id: 'writer_quarantine',
  per: 'snapshot',
  evaluate(snap) {
    const q = snap.quarantine;
    if (!q || q.count <= 0) return [];
    return [
      {
        subject: 'writer:quarantine',
        severity: 'critical',
        stage: null,
        model_name: null,
        message: `the writer quarantined ${q.count} record${q.count === 1 ? '' : 's'} it could not store in the last ${Math.round(snap.window_s / 60) || 1} min (GET /v1/quarantine)`,
        details: { quarantined: q.count, last_seen: q.last_seen },
      },
    ];
  },
};
