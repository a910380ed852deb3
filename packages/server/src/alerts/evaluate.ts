import type { Alert } from '@frostbyte/contracts';
import { detectBottleneck, latencyAnomaly, latencyRatio } from './bottleneck.ts';
import type { AlertRules } from './rules.ts';
import type { PipelineSnapshot } from './snapshot.ts';
import { ms, pct, times, usd, window } from './words.ts';

/** An alert the current figures call for; `rule` + `subject` identify it while open. */
export interface AlertCandidate {
  rule: 'bottleneck' | 'latency_p95' | 'error_rate' | 'cost_spike' | 'stage_silent';
  subject: string;
  severity: Alert['severity'];
  stage: string | null;
  model_name: string | null;
  message: string;
  details: Record<string, unknown>;
}

/**
 * The alert rules over one snapshot: pure, so the thresholds are tested without a
 * database. An alert whose candidate disappears is resolved by the evaluator.
 */
export function evaluateRules(snap: PipelineSnapshot, rules: AlertRules): AlertCandidate[] {
  const out: AlertCandidate[] = [];
  const bn = detectBottleneck(snap.stages, rules);
  if (bn?.anomalous) {
    out.push({
      rule: 'bottleneck',
      subject: `stage:${bn.stage}`,
      severity: 'warning',
      stage: bn.stage,
      model_name: null,
      message: `${bn.stage} is the bottleneck: ${bn.reason}`,
      details: { ...bn },
    });
  }
  for (const s of snap.stages) {
    const lat = latencyAnomaly(s, rules);
    if (lat) {
      const ratio = latencyRatio(s, rules) as number;
      out.push({
        rule: 'latency_p95',
        subject: `stage:${s.stage}`,
        severity: ratio >= 2 * rules.latency_factor ? 'critical' : 'warning',
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
      });
    }
    if (s.calls >= rules.min_error_calls && s.error_rate >= rules.error_rate_warning) {
      out.push({
        rule: 'error_rate',
        subject: `stage:${s.stage}`,
        severity: s.error_rate >= rules.error_rate_critical ? 'critical' : 'warning',
        stage: s.stage,
        model_name: null,
        message: `${s.stage} error rate ${pct(s.error_rate)} (${s.errors} of ${s.calls} calls in the last ${window(snap.window_s)}) is over the ${pct(rules.error_rate_warning)} threshold`,
        details: {
          error_rate: s.error_rate,
          errors: s.errors,
          calls: s.calls,
          threshold: rules.error_rate_warning,
          window_s: snap.window_s,
        },
      });
    }
  }
  const busy = snap.stages.filter((s) => s.calls > 0).map((s) => s.stage);
  for (const s of snap.stages) {
    if (!busy.length || s.calls > 0 || s.in_flight > 0 || s.baseline_calls < rules.silent_min_baseline_calls) continue;
    const silentFor = s.last_seen ? (snap.at.getTime() - Date.parse(s.last_seen)) / 1000 : Number.POSITIVE_INFINITY;
    if (silentFor < rules.silent_after_s) continue;
    out.push({
      rule: 'stage_silent',
      subject: `stage:${s.stage}`,
      severity: 'warning',
      stage: s.stage,
      model_name: null,
      message: `${s.stage} has been silent for ${ms(silentFor * 1000)} while ${busy.join(', ')} ${busy.length > 1 ? 'are' : 'is'} active (it handled ${s.baseline_calls} calls in the ${window(snap.baseline_s)} before)`,
      details: { last_seen: s.last_seen, silent_s: Math.round(silentFor), baseline_calls: s.baseline_calls, active_stages: busy },
    });
  }
  for (const c of snap.costs) {
    if (c.previous_hour_usd <= 0 || c.last_hour_usd < rules.cost_floor_usd) continue;
    const ratio = c.last_hour_usd / c.previous_hour_usd;
    if (ratio < rules.cost_factor) continue;
    out.push({
      rule: 'cost_spike',
      subject: `model:${c.model_name}@${c.model_version}`,
      severity: 'warning',
      stage: c.stage,
      model_name: c.model_name,
      message: `${c.model_name} ${c.model_version} cost ${usd(c.last_hour_usd)} in the last hour, ${times(ratio)} the previous hour (${usd(c.previous_hour_usd)})`,
      details: { ...c, ratio },
    });
  }
  return out;
}
