import { ms, window } from '../words.ts';
import type { AlertRule, Finding } from './rule.ts';

/** A stage with nothing for a while, though it was busy in the baseline, while other
 * stages work (so it compares stages: judged over the whole snapshot). */
export const stageSilent: AlertRule<'stage_silent'> = {
  id: 'stage_silent',
  per: 'snapshot',
  evaluate(snap, thresholds) {
    const out: Finding[] = [];
    const busy = snap.stages.filter((s) => s.calls > 0).map((s) => s.stage);
    for (const s of snap.stages) {
      if (!busy.length || s.calls > 0 || s.in_flight > 0 || s.baseline_calls < thresholds.silent_min_baseline_calls) continue;
      const silentFor = s.last_seen ? (snap.at.getTime() - Date.parse(s.last_seen)) / 1000 : Number.POSITIVE_INFINITY;
      if (silentFor < thresholds.silent_after_s) continue;
      out.push({
        subject: `stage:${s.stage}`,
        severity: 'warning',
        stage: s.stage,
        model_name: null,
        message: `${s.stage} has been silent for ${ms(silentFor * 1000)} while ${busy.join(', ')} ${busy.length > 1 ? 'are' : 'is'} active (it handled ${s.baseline_calls} calls in the ${window(snap.baseline_s)} before)`,
        details: { last_seen: s.last_seen, silent_s: Math.round(silentFor), baseline_calls: s.baseline_calls, active_stages: busy },
      });
    }
    return out;
  },
};
