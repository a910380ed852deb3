import { Almanac, Engine, type Event, type TopLevelCondition } from 'json-rules-engine';
import { type ModelIdentity, type StageModel, stageDelay } from './model.ts';

/**
 * Policy stage: decides a document's classification, topic, retention class and
 * storage route with json-rules-engine rules that live entirely in the config,
 * so a new config version (deployed through the registry) changes behaviour
 * without a code change.
 *
 * How a config is evaluated:
 * - Facts: `pii` (counts by type), `pii_total`, `pii_types`, `topic_scores`
 *   (keyword hits per topic), `top_topic_score`, `min_topic_score`,
 *   `chunk_count`, and the decision so far: `classification`, `topic`,
 *   `retention`, `route` (each falls back to `defaults` until a rule sets it).
 * - Rules run in priority order (higher first). A rule that fires sets the
 *   decision fields in its `decide`; the first rule to set a field wins, so a
 *   higher-priority rule overrides a lower one. Lower-priority rules see the
 *   fields decided above them (retention reads `topic`, routing reads
 *   `classification`).
 */

export type Topic = 'finance' | 'legal' | 'medical' | 'hr' | 'engineering' | 'general';
export type Classification = 'restricted' | 'confidential' | 'internal' | 'public';
export type Route = 'secure-store' | 'standard-store';

export interface PolicyDecision {
  classification: Classification;
  topic: Topic;
  /** Retention class, e.g. '7y'. */
  retention: string;
  route: Route;
}

export interface PolicyInput {
  document_id: string;
  text: string;
  chunks?: readonly { index: number; text: string }[];
  /** PII counts by type, as reported by redaction (`RedactionSummary`, e.g. `{ EMAIL: 2, SSN: 1 }`). */
  pii: Readonly<Record<string, number | undefined>>;
}

export interface PolicyOutput {
  decision: PolicyDecision;
  /** Names of the rules that fired, in evaluation order. */
  rules_triggered: string[];
}

export interface PolicyRule {
  name: string;
  /** Higher runs first and wins conflicts. */
  priority: number;
  conditions: TopLevelCondition;
  decide: Partial<PolicyDecision>;
  /**
   * Why, for the rationale. Placeholders: {pii_summary}, {topic}, {topic_score},
   * {runner_up_topic}, {runner_up_score}, {classification}, {retention}, {route}.
   */
  because: string;
}

export type PolicyConfig = {
  /** Version of this config; the identity's version is the engine's, the config is carried alongside. */
  config_version: string;
  rules: PolicyRule[];
  /** Keywords (lower case; a trailing 's'/'es' plural also counts) scored per topic. */
  topic_keywords: Record<Exclude<Topic, 'general'>, string[]>;
  /** Fewer keyword hits than this and no topic rule should fire (the document stays `general`). */
  min_topic_score: number;
  defaults: PolicyDecision;
  delay_ms: number;
};

const topicRule = (topic: Exclude<Topic, 'general'>, priority: number): PolicyRule => ({
  name: `topic-${topic}`,
  priority,
  conditions: {
    all: [
      { fact: 'topic_scores', path: `$.${topic}`, operator: 'greaterThanInclusive', value: { fact: 'min_topic_score' } },
      { fact: 'topic_scores', path: `$.${topic}`, operator: 'greaterThanInclusive', value: { fact: 'top_topic_score' } },
    ],
  },
  decide: { topic },
  because: `${topic} keywords scored {topic_score} (next: {runner_up_topic} {runner_up_score})`,
});

const retentionRule = (topic: Topic, retention: string, priority = 50): PolicyRule => ({
  name: `retention-${topic}`,
  priority,
  conditions: { all: [{ fact: 'topic', operator: 'equal', value: topic }] },
  decide: { retention },
  because: `${topic} records are kept ${retention === '1y' ? '1 year' : retention.replace(/y$/, ' years')}`,
});

export const DEFAULT_POLICY_CONFIG: PolicyConfig = {
  config_version: '2024-07-01',
  rules: [
    {
      name: 'pii-present',
      priority: 100,
      conditions: { all: [{ fact: 'pii_total', operator: 'greaterThan', value: 0 }] },
      decide: { classification: 'restricted' },
      because: 'PII was found ({pii_summary})',
    },
    // Distinct priorities make ties deterministic: on equal scores the earlier topic wins.
    topicRule('finance', 90),
    topicRule('legal', 89),
    topicRule('medical', 88),
    topicRule('hr', 87),
    topicRule('engineering', 86),
    {
      name: 'sensitive-topic',
      priority: 70,
      conditions: { all: [{ fact: 'topic', operator: 'in', value: ['legal', 'medical', 'hr'] }] },
      decide: { classification: 'confidential' },
      because: '{topic} documents are confidential',
    },
    retentionRule('medical', '10y', 51),
    retentionRule('finance', '7y'),
    retentionRule('legal', '7y'),
    retentionRule('hr', '5y'),
    retentionRule('engineering', '3y'),
    retentionRule('general', '1y'),
    {
      name: 'route-restricted',
      priority: 10,
      conditions: { all: [{ fact: 'classification', operator: 'equal', value: 'restricted' }] },
      decide: { route: 'secure-store' },
      because: 'restricted documents go to the secure store',
    },
    {
      name: 'route-standard',
      priority: 9,
      conditions: { all: [{ fact: 'classification', operator: 'notEqual', value: 'restricted' }] },
      decide: { route: 'standard-store' },
      because: '{classification} documents go to the standard store',
    },
  ],
  topic_keywords: {
    finance: ['invoice', 'revenue', 'budget', 'payment', 'wire transfer', 'iban', 'expense', 'reimbursement', 'tax', 'ledger',
      'fiscal', 'earnings', 'balance sheet', 'cash flow', 'accounts payable', 'quarterly', 'gross margin', 'treasury', 'remittance',
      'purchase order', 'cost centre', 'interest', 'auditor'],
    legal: ['agreement', 'contract', 'party', 'parties', 'clause', 'liability', 'liable', 'indemnify', 'indemnity', 'confidentiality',
      'jurisdiction', 'governing law', 'breach', 'counsel', 'litigation', 'trademark', 'infringement', 'warranty', 'arbitration',
      'intellectual property', 'gdpr', 'lawful basis', 'controller', 'statutory', 'injunction', 'without prejudice'],
    medical: ['patient', 'diagnosis', 'clinical', 'medication', 'dosage', 'physician', 'treatment', 'symptom', 'lab results',
      'blood pressure', 'discharge', 'allergy', 'allergies', 'prescription', 'hospital', 'nurse', 'oxygen saturation', 'infection',
      'mg', 'cholesterol', 'migraine', 'haemoglobin'],
    hr: ['employee', 'onboarding', 'benefit', 'payroll', 'salary', 'leave', 'pto', 'performance review', 'hiring', 'new hire',
      'candidate', 'offer letter', 'compensation', 'recruiting', 'probation', 'parental leave', 'people team', 'hr', '401(k)',
      'employee handbook', 'manager'],
    engineering: ['deploy', 'deployment', 'service', 'api', 'latency', 'database', 'kubernetes', 'incident', 'rollback', 'roll back',
      'code review', 'repository', 'release', 'pipeline', 'queue', 'cache', 'endpoint', 'architecture', 'outage', 'postmortem',
      'redis', 'consumer group', 'p99', 'p95', 'on-call', 'replica', 'feature flag', 'sse', 'otlp'],
  },
  min_topic_score: 3,
  defaults: { classification: 'internal', topic: 'general', retention: '1y', route: 'standard-store' },
  delay_ms: 0,
};

export const POLICY_MODEL_NAME = 'frostbyte-policy';
export const POLICY_MODEL_VERSION = '1.0.0';

export class PolicyConfigError extends Error {
  override readonly name = 'PolicyConfigError';
}

interface RunState {
  decision: Partial<PolicyDecision>;
  /** Which rule set each field, for the rationale. */
  decidedBy: Map<string, PolicyRule>;
  fired: string[];
}

type DecisionField = keyof PolicyDecision;
const DECISION_FIELDS: readonly DecisionField[] = ['classification', 'topic', 'retention', 'route'];

export function createPolicyModel(config: PolicyConfig = DEFAULT_POLICY_CONFIG): StageModel<PolicyInput, PolicyOutput> {
  validateConfig(config);
  const rulesByName = new Map(config.rules.map((rule) => [rule.name, rule]));
  const keywordPatterns = compileKeywords(config.topic_keywords);
  // Decisions are per run, but the engine (and its success handler) is shared by
  // concurrent invocations, so run state is keyed by that run's almanac.
  const runs = new WeakMap<Almanac, RunState>();
  const engine = new Engine(
    config.rules.map((rule) => ({
      name: rule.name,
      priority: rule.priority,
      conditions: rule.conditions,
      event: { type: 'policy-decision', params: { rule: rule.name } },
    })),
    { allowUndefinedFacts: true },
  );
  engine.on('success', (event: Event, almanac: Almanac) => {
    const state = runs.get(almanac);
    const rule = rulesByName.get(String(event.params?.rule));
    if (!state || !rule) return;
    state.fired.push(rule.name);
    for (const field of DECISION_FIELDS) {
      const value = rule.decide[field];
      if (value === undefined || state.decision[field] !== undefined) continue;
      (state.decision as Record<DecisionField, unknown>)[field] = value;
      state.decidedBy.set(field, rule);
    }
  });

  const identity: ModelIdentity = {
    name: POLICY_MODEL_NAME,
    version: POLICY_MODEL_VERSION,
    stage: 'policy',
    operation: 'evaluate_policy',
    config: structuredClone(config) as unknown as Record<string, unknown>,
  };

  return {
    identity,
    async invoke(input, signal) {
      signal?.throwIfAborted();
      validateInput(input);
      const scores = scoreTopics(input.text, keywordPatterns);
      const ranked = Object.entries(scores).sort(([, a], [, b]) => b - a) as [Topic, number][];
      const [topTopic, topScore] = ranked[0] ?? ['general', 0];
      const [runnerUpTopic, runnerUpScore] = ranked[1] ?? ['general', 0];
      const piiEntries = Object.entries(input.pii).filter((entry): entry is [string, number] => (entry[1] ?? 0) > 0);
      const piiTotal = piiEntries.reduce((sum, [, n]) => sum + n, 0);

      const state: RunState = { decision: {}, decidedBy: new Map(), fired: [] };
      const almanac = new Almanac({ allowUndefinedFacts: true });
      runs.set(almanac, state);
      for (const field of DECISION_FIELDS) {
        // Not cached: later rules must see what earlier (higher-priority) rules decided.
        almanac.addFact(field, () => state.decision[field] ?? config.defaults[field], { cache: false });
      }
      await engine.run(
        {
          pii: Object.fromEntries(piiEntries),
          pii_total: piiTotal,
          pii_types: piiEntries.map(([type]) => type),
          topic_scores: scores,
          top_topic_score: topScore,
          min_topic_score: config.min_topic_score,
          chunk_count: input.chunks?.length ?? 0,
        },
        { almanac },
      );
      const decision: PolicyDecision = { ...config.defaults, ...state.decision };

      // Confidence reflects how clearly the topic won: with a winner, the margin over
      // the runner-up maps to 0.5..1; with no winner (general), how far the best
      // topic stayed below the threshold does.
      const topicRuleFired = state.decidedBy.has('topic');
      const confidence = topicRuleFired
        ? 0.5 + (0.5 * (topScore - runnerUpScore)) / (topScore + runnerUpScore || 1)
        : 0.5 + 0.5 * Math.max(0, 1 - topScore / config.min_topic_score);

      const placeholders: Record<string, string> = {
        pii_summary: piiEntries.map(([type, n]) => `${n} ${type}`).join(', ') || 'none',
        topic: decision.topic,
        topic_score: String(topicRuleFired ? topScore : (scores[decision.topic as Exclude<Topic, 'general'>] ?? 0)),
        runner_up_topic: topicRuleFired ? runnerUpTopic : topTopic,
        runner_up_score: String(topicRuleFired ? runnerUpScore : topScore),
        classification: decision.classification,
        retention: decision.retention,
        route: decision.route,
      };
      const deciding = [...new Set(state.decidedBy.values())];
      const reasons = deciding.map((rule) => `${rule.name}: ${fill(rule.because, placeholders)}`);
      const defaulted = DECISION_FIELDS.filter((field) => !state.decidedBy.has(field));
      const rationale =
        `Decided ${decision.classification} / ${decision.topic} / retain ${decision.retention} / ${decision.route}. ` +
        (reasons.length > 0 ? `Rules: ${reasons.join('; ')}.` : 'No rule fired.') +
        (defaulted.length > 0 ? ` Defaults used for ${defaulted.join(', ')}.` : '');

      await stageDelay(config.delay_ms, signal);
      return {
        output: { decision, rules_triggered: state.fired },
        rationale,
        confidence: Math.round(confidence * 1000) / 1000,
      };
    },
  };
}

/** Keyword hits per topic (whole words/phrases, case-insensitive, simple plurals). */
export function scoreTopics(text: string, patterns: ReadonlyMap<Exclude<Topic, 'general'>, RegExp>): Record<Exclude<Topic, 'general'>, number> {
  const scores = {} as Record<Exclude<Topic, 'general'>, number>;
  for (const [topic, pattern] of patterns) scores[topic] = text.match(pattern)?.length ?? 0;
  return scores;
}

export function compileKeywords(keywords: PolicyConfig['topic_keywords']): Map<Exclude<Topic, 'general'>, RegExp> {
  const patterns = new Map<Exclude<Topic, 'general'>, RegExp>();
  for (const [topic, words] of Object.entries(keywords) as [Exclude<Topic, 'general'>, string[]][]) {
    const alternatives = words
      .map((word) => word.toLowerCase().replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replace(/\s+/g, '\\s+'))
      .sort((a, b) => b.length - a.length); // longest first, so phrases win over their words
    // Lookarounds instead of \b so keywords ending in punctuation ('401(k)') still match.
    patterns.set(topic, new RegExp(`(?<![\\p{L}\\p{N}])(?:${alternatives.join('|')})(?:s|es)?(?![\\p{L}\\p{N}])`, 'giu'));
  }
  return patterns;
}

function fill(template: string, values: Record<string, string>): string {
  return template.replace(/\{(\w+)\}/g, (whole, key: string) => values[key] ?? whole);
}

function validateConfig(config: PolicyConfig): void {
  const names = new Set<string>();
  for (const rule of config.rules) {
    if (!rule.name) throw new PolicyConfigError('every policy rule needs a name');
    if (names.has(rule.name)) throw new PolicyConfigError(`policy rule name '${rule.name}' is used twice; names must be unique`);
    names.add(rule.name);
    if (!Number.isFinite(rule.priority) || rule.priority < 1) {
      throw new PolicyConfigError(`policy rule '${rule.name}': priority must be a number >= 1 (json-rules-engine requirement)`);
    }
  }
  if (!(config.min_topic_score > 0)) throw new PolicyConfigError('min_topic_score must be > 0');
}

function validateInput(input: PolicyInput): void {
  if (typeof input.text !== 'string') throw new TypeError(`policy input for ${input.document_id}: text must be a string`);
  for (const [type, count] of Object.entries(input.pii ?? {})) {
    if (count !== undefined && (!Number.isInteger(count) || count < 0)) {
      throw new TypeError(`policy input for ${input.document_id}: pii.${type} must be a non-negative integer, got ${String(count)}`);
    }
  }
}

