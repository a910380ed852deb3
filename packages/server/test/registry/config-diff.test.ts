import { describe, expect, it } from 'vitest';
import { detectBottleneck } from '../../src/alerts/bottleneck.ts';
import { evaluateRules } from '../../src/alerts/evaluate.ts';
import { DEFAULT_ALERT_RULES } from '../../src/alerts/thresholds.ts';
import type { StageSnapshot } from '../../src/alerts/snapshot.ts';
import { diffConfig, sameJson } from '../../src/registry/config-diff.ts';

describe('configuration diff', () => {
  it('lists added, removed and changed leaves by JSON Pointer, ignoring key order', () => {
    const a = { dim: 256, seed: 1, nested: { k: [1, 2, 3], x: 'a' }, 'a/b': 1, gone: true };
    const b = { seed: 2, dim: 256, nested: { x: 'a', k: [1, 5] }, 'a/b': 2, added: { deep: null } };
    expect(diffConfig(a, b)).toEqual([
      { path: '/a~1b', op: 'changed', before: 1, after: 2 },
      { path: '/added', op: 'added', after: { deep: null } },
      { path: '/gone', op: 'removed', before: true },
      { path: '/nested/k/1', op: 'changed', before: 2, after: 5 },
      { path: '/nested/k/2', op: 'removed', before: 3 },
      { path: '/seed', op: 'changed', before: 1, after: 2 },
    ]);
    expect(diffConfig({ a: { b: 1 }, c: 2 }, { c: 2, a: { b: 1 } })).toEqual([]);
    expect(diffConfig({ t: { a: 1 } }, { t: [1] })).toEqual([{ path: '/t', op: 'changed', before: { a: 1 }, after: [1] }]);
    expect(sameJson({ a: 1, b: [1, { c: 2 }] }, { b: [1, { c: 2 }], a: 1 })).toBe(true);
  });
});

const stage = (s: Partial<StageSnapshot> & { stage: string }): StageSnapshot => ({
  calls: 0,
  errors: 0,
  error_rate: 0,
  recent_calls: 0,
  recent_errors: 0,
  p50_ms: null,
  p95_ms: null,
  mean_ms: null,
  throughput_per_s: 0,
  in_flight: 0,
  last_seen: null,
  baseline_calls: 0,
  baseline_p95_ms: null,
  baseline_mean_ms: null,
  latency_share: null,
  ...s,
});

describe('bottleneck detection and alert rules', () => {
  const rules = DEFAULT_ALERT_RULES;
  it('names the slowest stage without alarm when nothing changed, and alarms when its p95 leaves its baseline', () => {
    const normal = [
      stage({ stage: 'parse', calls: 50, p95_ms: 40, mean_ms: 30, baseline_calls: 500, baseline_p95_ms: 42, latency_share: 0.2 }),
      stage({ stage: 'embed', calls: 50, p95_ms: 310, mean_ms: 100, baseline_calls: 500, baseline_p95_ms: 300, latency_share: 0.67 }),
      stage({ stage: 'policy', calls: 50, p95_ms: 20, mean_ms: 20, baseline_calls: 500, baseline_p95_ms: 20, latency_share: 0.13 }),
    ];
    const calm = detectBottleneck(normal, rules);
    expect(calm).toMatchObject({ stage: 'embed', anomalous: false });
    expect(calm?.reason).toBe('embed takes 67% of the end-to-end latency');
    expect(evaluateRules({ at: new Date(), window_s: 120, baseline_s: 3600, stages: normal, costs: [] }, rules)).toEqual([]);

    const slow = normal.map((s) => (s.stage === 'embed' ? { ...s, p95_ms: 1800, mean_ms: 1500, latency_share: 0.96 } : s));
    const bn = detectBottleneck(slow, rules);
    expect(bn).toMatchObject({ stage: 'embed', anomalous: true });
    expect(bn?.reasons[0]).toBe('embed p95 1.8 s is 6× its 1 h baseline 300 ms');
    const alerts = evaluateRules({ at: new Date(), window_s: 120, baseline_s: 3600, stages: slow, costs: [] }, rules);
    expect(alerts.map((a) => [a.rule, a.subject, a.severity])).toEqual([
      ['bottleneck', 'stage:embed', 'warning'],
      ['latency_p95', 'stage:embed', 'critical'],
    ]);
  });

  it('detects a backlog, an error rate, a silent stage and a cost spike', () => {
    const at = new Date();
    const stages = [
      stage({
        stage: 'parse',
        calls: 40,
        errors: 12,
        error_rate: 0.3,
        p95_ms: 30,
        mean_ms: 20,
        baseline_calls: 100,
        baseline_p95_ms: 30,
        latency_share: 0.5,
      }),
      stage({
        stage: 'embed',
        calls: 40,
        in_flight: 25,
        p95_ms: 30,
        mean_ms: 20,
        baseline_calls: 100,
        baseline_p95_ms: 30,
        latency_share: 0.5,
      }),
      stage({ stage: 'policy', calls: 0, baseline_calls: 90, last_seen: new Date(at.getTime() - 300_000).toISOString() }),
    ];
    const costs = [{ stage: 'embed', model_name: 'm', model_version: '1', last_hour_usd: 3, previous_hour_usd: 1, last_hour_calls: 10 }];
    const alerts = evaluateRules({ at, window_s: 120, baseline_s: 3600, stages, costs }, rules);
    expect(alerts.map((a) => `${a.rule} ${a.subject}`)).toEqual([
      'bottleneck stage:embed',
      'error_rate stage:parse',
      'stage_silent stage:policy',
      'cost_spike model:m@1',
    ]);
    expect(alerts[0]?.message).toBe(
      'embed is the bottleneck: embed has a backlog of 25 invocations in flight (other stages at most 0); embed takes 50% of the end-to-end latency',
    );
    expect(alerts[1]?.message).toBe('parse error rate 30% (12 of 40 calls in the last 2 min) is over the 10% threshold');
    expect(alerts[2]?.message).toBe(
      'policy has been silent for 5 min while parse, embed are active (it handled 90 calls in the 1 h before)',
    );
    expect(alerts[3]?.message).toBe('m 1 cost $3.00 in the last hour, 3× the previous hour ($1.00)');
  });
});
