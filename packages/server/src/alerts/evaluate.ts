import { ALERT_RULES, type AlertCandidate, type StageRule } from './rules/index.ts';
import type { AlertRules } from './thresholds.ts';
import type { PipelineSnapshot } from './snapshot.ts';

export type { AlertCandidate };

/**
 * The alert rules (rules/, one module each) over one snapshot: pure, so the thresholds
 * are tested without a database. An alert whose candidate disappears is resolved by the
 * evaluator.
 *
 * The rules run in the order of `ALERT_RULES`; consecutive per-stage rules judge stage
 * by stage, so one stage's findings of those rules come together.
 */
export function evaluateRules(snap: PipelineSnapshot, thresholds: AlertRules): AlertCandidate[] {
  const out: AlertCandidate[] = [];
  let stageRules: StageRule[] = [];
  const judgeStages = () => {
    for (const s of snap.stages) {
      for (const r of stageRules) {
        const f = r.evaluate(s, snap, thresholds);
        if (f) out.push({ rule: r.id, ...f });
      }
    }
    stageRules = [];
  };
  for (const rule of ALERT_RULES) {
    if (rule.per === 'stage') {
      stageRules.push(rule);
      continue;
    }
    judgeStages();
    for (const f of rule.evaluate(snap, thresholds)) out.push({ rule: rule.id, ...f });
  }
  judgeStages();
  return out;
}
