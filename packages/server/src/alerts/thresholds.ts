/**
 * Thresholds of the bottleneck detector and the alert rules, in one place. A stage is
 * judged on a short recent window against its own baseline: the longer window before
 * it, so a stage that is always slow is normal and only a change is an anomaly.
 */
import type { AlertRules } from '@frostbyte/contracts';

export type { AlertRules };

/** Where nothing was changed (`PUT /v1/alerts/rules`); each field is described in the
 * contract (`AlertRules` in packages/contracts). */
export const DEFAULT_ALERT_RULES: AlertRules = {
  window_s: 120,
  baseline_s: 3600,
  latency_factor: 3,
  latency_floor_ms: 50,
  min_window_calls: 5,
  min_baseline_calls: 10,
  error_rate_warning: 0.1,
  error_rate_critical: 0.5,
  min_error_calls: 10,
  backlog_min: 10,
  backlog_factor: 3,
  share_bottleneck: 0.5,
  cost_factor: 2,
  cost_floor_usd: 0.01,
  silent_after_s: 120,
  silent_min_baseline_calls: 10,
};
