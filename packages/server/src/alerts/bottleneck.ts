import type { Bottleneck } from '@frostbyte/contracts';
import type { AlertRules } from './thresholds.ts';
import type { StageSnapshot } from './snapshot.ts';
import { ms, pct, times, window } from './words.ts';

/** A stage's p95 against its own baseline, when there is enough of both to judge. */
export function latencyRatio(s: StageSnapshot, rules: AlertRules): number | null {
  if (s.p95_ms === null || s.baseline_p95_ms === null || s.baseline_p95_ms <= 0) return null;
  if (s.calls < rules.min_window_calls || s.baseline_calls < rules.min_baseline_calls) return null;
  return s.p95_ms / s.baseline_p95_ms;
}

export function latencyAnomaly(s: StageSnapshot, rules: AlertRules): string | null {
  const r = latencyRatio(s, rules);
  if (r === null || r < rules.latency_factor || (s.p95_ms ?? 0) < rules.latency_floor_ms) return null;
  return `${s.stage} p95 ${ms(s.p95_ms as number)} is ${times(r)} its ${window(rules.baseline_s)} baseline ${ms(s.baseline_p95_ms as number)}`;
}

export function backlog(s: StageSnapshot, stages: readonly StageSnapshot[], rules: AlertRules): string | null {
  const others = Math.max(0, ...stages.filter((o) => o.stage !== s.stage).map((o) => o.in_flight));
  if (s.in_flight < rules.backlog_min || s.in_flight < rules.backlog_factor * Math.max(1, others)) return null;
  return `${s.stage} has a backlog of ${s.in_flight} invocations in flight (other stages at most ${others})`;
}

/**
 * The bottleneck: the stage that limits the pipeline. A stage whose p95 left its own
 * baseline or that piles up a backlog is an *anomalous* bottleneck (and an alert);
 * otherwise the stage with the largest share of end-to-end latency is named, as what
 * to optimise first, but nothing is wrong with it.
 */
export function detectBottleneck(stages: readonly StageSnapshot[], rules: AlertRules): Bottleneck | null {
  const active = stages.filter((s) => s.calls > 0 || s.in_flight > 0);
  if (active.length === 0) return null;
  const judged = active.map((s) => {
    const reasons: string[] = [];
    const lat = latencyAnomaly(s, rules);
    const bl = backlog(s, active, rules);
    if (lat) reasons.push(lat);
    if (bl) reasons.push(bl);
    const anomalous = reasons.length > 0;
    if (s.latency_share !== null && s.latency_share >= rules.share_bottleneck && active.length > 1) {
      reasons.push(`${s.stage} takes ${pct(s.latency_share)} of the end-to-end latency`);
    }
    return { s, reasons, anomalous, ratio: latencyRatio(s, rules) ?? 0 };
  });
  const anomalous = judged.filter((j) => j.anomalous);
  const pick = anomalous.length
    ? anomalous.sort((a, b) => (b.s.latency_share ?? 0) - (a.s.latency_share ?? 0) || b.ratio - a.ratio || b.s.in_flight - a.s.in_flight)[0]
    : judged.filter((j) => j.reasons.length > 0).sort((a, b) => (b.s.latency_share ?? 0) - (a.s.latency_share ?? 0))[0];
  if (!pick) return null;
  return {
    stage: pick.s.stage,
    reasons: pick.reasons,
    reason: `${pick.reasons.join('; ')}`,
    anomalous: pick.anomalous,
    latency_share: pick.s.latency_share,
    p95_ms: pick.s.p95_ms,
    baseline_p95_ms: pick.s.baseline_p95_ms,
    in_flight: pick.s.in_flight,
  };
}
