import { pct, window } from '../words.ts';
import type { AlertRule } from './rule.ts';

/** A stage's error rate over the window at the warning rate or more; critical at the critical rate. */
export const errorRate: AlertRule<'error_rate'> = {
  id: 'error_rate',
  per: 'stage',
  evaluate(s, snap, thresholds) {
    if (s.calls < thresholds.min_error_calls || s.error_rate < thresholds.error_rate_warning) return null;
    return {
      subject: `stage:${s.stage}`,
      severity: s.error_rate >= thresholds.error_rate_critical ? 'critical' : 'warning',
      stage: s.stage,
      model_name: null,
      message: `${s.stage} error rate ${pct(s.error_rate)} (${s.errors} of ${s.calls} calls in the last ${window(snap.window_s)}) is over the ${pct(thresholds.error_rate_warning)} threshold`,
      details: {
        error_rate: s.error_rate,
        errors: s.errors,
        calls: s.calls,
        threshold: thresholds.error_rate_warning,
        window_s: snap.window_s,
      },
    };
  },
};
