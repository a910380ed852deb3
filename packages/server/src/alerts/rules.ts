/**
 * Thresholds of the bottleneck detector and the alert rules, in one place. A stage is
 * judged on a short recent window against its own baseline: the longer window before
 * it, so a stage that is always slow is normal and only a change is an anomaly.
 */
export interface AlertRules {
  /** Recent window the rules judge, seconds. */
  window_s: number;
  /** Baseline window before it, seconds. */
  baseline_s: number;
  /** p95 at least this many times its baseline p95 … */
  latency_factor: number;
  /** … and at least this many ms (sub-millisecond stages jitter by large factors). */
  latency_floor_ms: number;
  /** Calls needed in the window / baseline before latency is judged. */
  min_window_calls: number;
  min_baseline_calls: number;
  /** Error rate over the window that raises an alert (warning), and critical. */
  error_rate_warning: number;
  error_rate_critical: number;
  min_error_calls: number;
  /** Invocations in flight that make a backlog, when also this many times the next stage's. */
  backlog_min: number;
  backlog_factor: number;
  /** Share of end-to-end latency that names the slowest stage a bottleneck. */
  share_bottleneck: number;
  /** Cost of the last hour at least this many times the previous hour, and at least this much. */
  cost_factor: number;
  cost_floor_usd: number;
  /** A stage with at least `silent_min_baseline_calls` in the baseline and nothing for
   * `silent_after_s` while another stage had calls in the window is silent. */
  silent_after_s: number;
  silent_min_baseline_calls: number;
}

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
