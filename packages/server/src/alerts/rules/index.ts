import type { AlertRuleId } from '@frostbyte/contracts';
import { bottleneck } from './bottleneck.ts';
import { costSpike } from './cost-spike.ts';
import { errorRate } from './error-rate.ts';
import { latencyP95 } from './latency-p95.ts';
import type { AlertRule } from './rule.ts';
import { stageSilent } from './stage-silent.ts';
import { writerQuarantine } from './writer-quarantine.ts';

export type { AlertCandidate, AlertRule, Finding, SnapshotRule, StageRule } from './rule.ts';

/**
 * Every rule by its id. The compiler checks it against the contract's `AlertRuleId`
 * both ways: a rule whose id is not in the union, a key that is not its rule's id, and
 * an id without a rule are all refused.
 */
const RULES_BY_ID = {
  bottleneck,
  latency_p95: latencyP95,
  error_rate: errorRate,
  stage_silent: stageSilent,
  cost_spike: costSpike,
  writer_quarantine: writerQuarantine,
} satisfies { [Id in AlertRuleId]: AlertRule<Id> };

/** The rules in the order they are evaluated, which is the order a snapshot's alerts
 * are opened in (and so listed and pushed in). */
export const ALERT_RULES: readonly AlertRule[] = Object.values(RULES_BY_ID);
