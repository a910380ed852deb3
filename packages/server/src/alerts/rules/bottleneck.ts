import { detectBottleneck } from '../bottleneck.ts';
import type { AlertRule } from './rule.ts';

/** The bottleneck stage, when it is an anomalous one (p95 off its baseline, or a backlog). */
export const bottleneck: AlertRule<'bottleneck'> = {
  id: 'bottleneck',
  per: 'snapshot',
  evaluate(snap, thresholds) {
    const bn = detectBottleneck(snap.stages, thresholds);
    if (!bn?.anomalous) return [];
    return [
      {
        subject: `stage:${bn.stage}`,
        severity: 'warning',
        stage: bn.stage,
        model_name: null,
        message: `${bn.stage} is the bottleneck: ${bn.reason}`,
        details: { ...bn },
      },
    ];
  },
};
