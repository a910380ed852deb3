import { times, usd } from '../words.ts';
import type { AlertRule, Finding } from './rule.ts';

/** A model version whose last hour cost at least the factor times the hour before (and the floor). */
export const costSpike: AlertRule<'cost_spike'> = {
  id: 'cost_spike',
  per: 'snapshot',
  evaluate(snap, thresholds) {
    const out: Finding[] = [];
    for (const c of snap.costs) {
      if (c.previous_hour_usd <= 0 || c.last_hour_usd < thresholds.cost_floor_usd) continue;
      const ratio = c.last_hour_usd / c.previous_hour_usd;
      if (ratio < thresholds.cost_factor) continue;
      out.push({
        subject: `model:${c.model_name}@${c.model_version}`,
        severity: 'warning',
        stage: c.stage,
        model_name: c.model_name,
        message: `${c.model_name} ${c.model_version} cost ${usd(c.last_hour_usd)} in the last hour, ${times(ratio)} the previous hour (${usd(c.previous_hour_usd)})`,
        details: { ...c, ratio },
      });
    }
    return out;
  },
};
