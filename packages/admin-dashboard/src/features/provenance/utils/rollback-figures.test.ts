import type { RollbackPreview, VersionStats } from '@frostbyte/contracts';
import { describe, expect, it } from 'vitest';
import { comparisonRows, costChangeText, direction, inFlightText, runningText } from './rollback-figures.ts';

const stats = (over: Partial<VersionStats>): VersionStats => ({
  model_name: 'docparse',
  version: '1.1.0',
  from: '2026-03-01T09:00:00.000Z',
  to: '2026-03-01T10:00:00.000Z',
  calls: 200,
  errors: 10,
  error_rate: 0.05,
  p50_ms: 40,
  p95_ms: 480,
  mean_ms: 60,
  cost_usd: 0.4,
  cost_per_call_usd: 0.002,
  calls_per_hour: 200,
  avg_input_tokens: null,
  avg_output_tokens: null,
  documents: 50,
  tenants: ['acme'],
  ...over,
});

const preview = (over: Partial<RollbackPreview> = {}): RollbackPreview => ({
  model_name: 'docparse',
  stage: 'parse',
  current_version: '1.1.0',
  target_version: '1.0.0',
  target_was_deployed: true,
  tenants: null,
  running: [{ stage: 'parse', tenant: '*', version: '1.1.0' }],
  tenants_seen: ['acme'],
  current: stats({}),
  target: stats({ version: '1.0.0', calls: 1000, errors: 10, error_rate: 0.01, p95_ms: 120, cost_per_call_usd: 0.001 }),
  delta: { error_rate: -0.04, p95_ms: -360, cost_per_call_usd: -0.001 },
  in_flight: { count: 3, invocation_ids: [], by_tenant: { acme: 2, globex: 1 } },
  expected_cost_change: {
    per_call_delta_usd: -0.001,
    current_calls_per_hour: 200,
    per_hour_usd: -0.2,
    per_day_usd: -4.8,
    target_cost_source: 'history',
  },
  warnings: [],
  expected_current_version: '1.1.0',
  ...over,
});

describe('rollback preview figures', () => {
  it('compares current with target row by row, with the change and whether it is better', () => {
    const rows = comparisonRows(preview().current, preview().target);
    const byLabel = Object.fromEntries(rows.map((r) => [r.label, r]));
    expect(byLabel['Invocations']).toMatchObject({ current: '200', target: '1000' });
    expect(byLabel['Error rate']).toMatchObject({ current: '5.0%', target: '1.0%', change: '−4.0 pts', direction: 'better' });
    expect(byLabel['p95 latency']).toMatchObject({ current: '480 ms', target: '120 ms', change: '−360 ms', direction: 'better' });
    expect(byLabel['Cost per call']).toMatchObject({ current: '$0.0020', target: '$0.0010', direction: 'better' });
  });

  it('says unknown rather than inventing a figure for a target without history', () => {
    const rows = comparisonRows(stats({}), stats({ calls: 0, error_rate: 0, p95_ms: null, cost_per_call_usd: null }));
    expect(rows.find((r) => r.label === 'Error rate')).toMatchObject({ target: '—', change: '—', direction: 'unknown' });
    expect(rows.find((r) => r.label === 'p95 latency')).toMatchObject({ target: '—', direction: 'unknown' });
    expect(direction(1, 1)).toBe('same');
    expect(direction(1, 2)).toBe('worse');
  });

  it('puts the cost change, in-flight work and where it runs into words', () => {
    expect(costChangeText(preview())).toBe(
      "Expected cost change: −$4.80 per day (−$0.2000 per hour at 200 calls/h; saves) — from the target's own history.",
    );
    const unknown = preview({
      expected_cost_change: {
        per_call_delta_usd: null,
        current_calls_per_hour: 0,
        per_hour_usd: null,
        per_day_usd: null,
        target_cost_source: 'unknown',
      },
    });
    expect(costChangeText(unknown)).toBe('Expected cost change: unknown — not enough data to say.');
    expect(inFlightText(preview())).toBe('3 invocations in flight will finish on 1.1.0 (acme 2, globex 1).');
    expect(inFlightText(preview({ in_flight: { count: 0, invocation_ids: [], by_tenant: {} } }))).toBe(
      'No invocation is in flight on 1.1.0: nothing has to finish on it.',
    );
    expect(runningText(preview())).toEqual(['parse · every tenant · 1.1.0']);
  });
});
