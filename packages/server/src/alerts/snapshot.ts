/** One stage over the recent window and its baseline (see PipelineMonitor). */
export interface StageSnapshot {
  stage: string;
  calls: number;
  errors: number;
  error_rate: number;
  /** Calls that ended in the last 10 s (for live status). */
  recent_calls: number;
  recent_errors: number;
  p50_ms: number | null;
  p95_ms: number | null;
  mean_ms: number | null;
  throughput_per_s: number;
  in_flight: number;
  last_seen: string | null;
  baseline_calls: number;
  baseline_p95_ms: number | null;
  baseline_mean_ms: number | null;
  /** Share of the mean end-to-end latency (sum of the stages' mean latencies). */
  latency_share: number | null;
}

export interface ModelCost {
  stage: string;
  model_name: string;
  model_version: string;
  last_hour_usd: number;
  previous_hour_usd: number;
  last_hour_calls: number;
}

export interface PipelineSnapshot {
  at: Date;
  window_s: number;
  baseline_s: number;
  stages: StageSnapshot[];
  costs: ModelCost[];
  /** Records the writer quarantined in the window (storage/quarantine.ts), when the
   * evaluator read them: the `writer_quarantine` rule. */
  quarantine?: { count: number; last_seen: string | null };
}
