import { latencyAnomaly, latencyRatio } from '../bottleneck.ts';
import type { AlertRule } from './rule.ts';

/** A stage's p95 far over its own baseline; critical at twice the factor. */
export const latencyP95: AlertRule<'latency_p95'> = {
  id: 'latency_p95',
  per: 'stage',
  evaluate(s, snap, thresholds) {
    const lat = latencyAnomaly(s, thresholds);
    if (!lat) return null;
    const ratio = latencyRatio(s, thresholds) as number;
    return {
      subject: `stage:${s.stage}`,
      severity: ratio >= 2 * thresholds.latency_factor ? 'critical' : 'warning',
      stage: s.stage,
      model_name: null,
      message: lat,
      details: {
        p95_ms: s.p95_ms,
        baseline_p95_ms: s.baseline_p95_ms,
        ratio,
        window_s: snap.window_s,
        baseline_s: snap.baseline_s,
        calls: s.calls,
      },
    };
  },
};
