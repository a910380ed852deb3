import type { Alert } from '@frostbyte/contracts';
import { describe, expect, it } from 'vitest';
import { latestAlerts, mergeAlerts } from './alerts.ts';

const alert = (id: string, state: Alert['state'], updated: string, opened = '2026-03-01T10:00:00.000Z'): Alert => ({
  id,
  tenant_id: null,
  rule: 'latency_p95',
  severity: 'warning',
  stage: 'parse',
  model_name: null,
  message: 'm',
  state,
  opened_at: opened,
  updated_at: updated,
  details: {},
});

describe('mergeAlerts', () => {
  it('keeps the latest state per alert, whatever order the list and the frames arrive in', () => {
    const listed = [alert('a', 'open', '2026-03-01T10:00:00.000Z')];
    const frames = [alert('a', 'resolved', '2026-03-01T10:05:00.000Z')];
    expect(mergeAlerts(listed, frames)).toEqual([]);
    // An older list fetched after the frame does not bring it back.
    expect(mergeAlerts(latestAlerts(frames), listed)).toEqual([]);
  });
  it('lists open before acknowledged, newest first', () => {
    const out = mergeAlerts([
      alert('old-open', 'open', '2026-03-01T10:00:00.000Z', '2026-03-01T09:00:00.000Z'),
      alert('ack', 'acknowledged', '2026-03-01T10:00:00.000Z', '2026-03-01T09:59:00.000Z'),
      alert('new-open', 'open', '2026-03-01T10:00:00.000Z', '2026-03-01T09:30:00.000Z'),
    ]);
    expect(out.map((a) => a.id)).toEqual(['new-open', 'old-open', 'ack']);
  });
});
