import type { Alert, AlertRuleId } from '@frostbyte/contracts';
import type { AlertRules } from '../thresholds.ts';
import type { PipelineSnapshot, StageSnapshot } from '../snapshot.ts';

/** An alert the current figures call for; `rule` + `subject` identify it while open. */
export interface AlertCandidate {
  rule: AlertRuleId;
  subject: string;
  severity: Alert['severity'];
  stage: string | null;
  model_name: string | null;
  message: string;
  details: Record<string, unknown>;
}

/** What a rule finds: the evaluator adds the rule's id. */
export type Finding = Omit<AlertCandidate, 'rule'>;

/**
 * One alert rule: its id (a member of the contract's `AlertRuleId`) and a pure judgement
 * of a snapshot against the thresholds in force. A rule judges either
 * - `per: 'stage'`: one stage at a time (at most one finding per stage), or
 * - `per: 'snapshot'`: the whole snapshot at once (rules that compare stages, or that
 *   are about something else than a stage, such as a model's cost).
 */
export type AlertRule<Id extends AlertRuleId = AlertRuleId> = StageRule<Id> | SnapshotRule<Id>;

export interface StageRule<Id extends AlertRuleId = AlertRuleId> {
  id: Id;
  per: 'stage';
  evaluate(stage: StageSnapshot, snap: PipelineSnapshot, thresholds: AlertRules): Finding | null;
}

export interface SnapshotRule<Id extends AlertRuleId = AlertRuleId> {
  id: Id;
  per: 'snapshot';
  evaluate(snap: PipelineSnapshot, thresholds: AlertRules): Finding[];
}
