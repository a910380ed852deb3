import { describe, expect, it } from 'vitest';
import { createPolicyModel, DEFAULT_POLICY_CONFIG, type PolicyConfig, PolicyConfigError, type PolicyInput } from './policy.ts';

const PII_DOC =
  'Invoice INV-9001. Payment of $3,150 is due within 30 days. Pay by wire transfer to IBAN GB82WEST12345698765432 ' +
  'or by card 4111 1111 1111 1111. Questions about the invoice or your account balance: billing@example.com.';
const ENGINEERING_DOC =
  'Postmortem: the ingest service outage. After the deployment the database connection pool was exhausted and p99 latency ' +
  'rose to 2.4 s. We rolled back the release, the queue drained, and the incident was resolved. Action: load test the ' +
  'pipeline before each release and alert on cache evictions.';
const GENERAL_DOC = 'The cafeteria will serve pizza on Friday. Remember to return umbrellas to reception.';

const policy = createPolicyModel();

describe('policy stage with the default config', () => {
  it('restricts a finance document with PII and routes it to the secure store', async () => {
    const result = await policy.invoke({ document_id: 'pol-pii-1', text: PII_DOC, pii: { IBAN: 1, CREDIT_CARD: 1, EMAIL: 1 } });
    expect(result.output.decision).toEqual({ classification: 'restricted', topic: 'finance', retention: '7y', route: 'secure-store' });
    expect(result.output.rules_triggered).toEqual(['pii-present', 'topic-finance', 'retention-finance', 'route-restricted']);
    expect(result.rationale).toContain('pii-present: PII was found (1 IBAN, 1 CREDIT_CARD, 1 EMAIL)');
    expect(result.rationale).toContain('topic-finance');
    expect(result.confidence).toBeGreaterThan(0.5);
    expect(result.confidence).toBeLessThanOrEqual(1);
  });

  it('keeps a clean engineering document internal in the standard store for 3 years', async () => {
    const result = await policy.invoke({ document_id: 'pol-eng-1', text: ENGINEERING_DOC, pii: {} });
    expect(result.output.decision).toEqual({ classification: 'internal', topic: 'engineering', retention: '3y', route: 'standard-store' });
    expect(result.output.rules_triggered).toEqual(['topic-engineering', 'retention-engineering', 'route-standard']);
    expect(result.rationale).toMatch(/^Decided internal \/ engineering \/ retain 3y \/ standard-store\./);
    expect(result.rationale).toContain('Defaults used for classification');
    expect(result.confidence).toBe(1); // no other topic scored at all
  });

  it('ignores PII types reported with a zero count', async () => {
    const result = await policy.invoke({ document_id: 'pol-eng-2', text: ENGINEERING_DOC, pii: { EMAIL: 0 } });
    expect(result.output.decision.classification).toBe('internal');
  });

  it('falls back to general when no topic reaches the threshold', async () => {
    const result = await policy.invoke({ document_id: 'pol-gen-1', text: GENERAL_DOC, pii: {} });
    expect(result.output.decision).toEqual({ classification: 'internal', topic: 'general', retention: '1y', route: 'standard-store' });
    expect(result.rationale).toContain('general records are kept 1 year');
  });

  it('marks sensitive topics confidential when no PII is present', async () => {
    const text = 'The patient received treatment in hospital; the physician changed the medication dosage after the diagnosis.';
    const result = await policy.invoke({ document_id: 'pol-med-1', text, pii: {} });
    expect(result.output.decision).toMatchObject({ classification: 'confidential', topic: 'medical', retention: '10y' });
  });

  it('lowers confidence when two topics score closely', async () => {
    const mixed = `${ENGINEERING_DOC} The invoice payment for the budget and the expense ledger, revenue and tax.`;
    const clear = await policy.invoke({ document_id: 'pol-conf-1', text: ENGINEERING_DOC, pii: {} });
    const close = await policy.invoke({ document_id: 'pol-conf-2', text: mixed, pii: {} });
    expect(close.confidence).toBeLessThan(clear.confidence as number);
    expect(close.confidence).toBeGreaterThanOrEqual(0.5);
  });

  it('keeps concurrent evaluations independent', async () => {
    const inputs = Array.from({ length: 40 }, (_, i): PolicyInput =>
      i % 2 === 0
        ? { document_id: `pol-par-${i}`, text: PII_DOC, pii: { EMAIL: 1 } }
        : { document_id: `pol-par-${i}`, text: ENGINEERING_DOC, pii: {} },
    );
    const results = await Promise.all(inputs.map((input) => policy.invoke(input)));
    results.forEach((result, i) => {
      expect(result.output.decision.route).toBe(i % 2 === 0 ? 'secure-store' : 'standard-store');
      expect(result.output.decision.topic).toBe(i % 2 === 0 ? 'finance' : 'engineering');
    });
  });

  it('rejects invalid PII counts with a message naming the field', async () => {
    await expect(policy.invoke({ document_id: 'pol-bad-1', text: 'x', pii: { EMAIL: -1 } })).rejects.toThrow(/pii\.EMAIL must be a non-negative integer/);
  });

  it('carries its whole config in the identity', () => {
    expect(policy.identity).toMatchObject({ name: 'frostbyte-policy', version: '1.0.0', stage: 'policy' });
    expect(policy.identity.config).toEqual(JSON.parse(JSON.stringify(DEFAULT_POLICY_CONFIG)));
  });
});

describe('policy config drives behaviour', () => {
  it('a config with different rules decides differently, with no code change', async () => {
    const strict: PolicyConfig = {
      ...DEFAULT_POLICY_CONFIG,
      config_version: 'test-strict',
      rules: [
        ...DEFAULT_POLICY_CONFIG.rules.filter((rule) => rule.name !== 'retention-engineering'),
        {
          name: 'engineering-retain-longer',
          priority: 50,
          conditions: { all: [{ fact: 'topic', operator: 'equal', value: 'engineering' }] },
          decide: { retention: '6y' },
          because: 'test config keeps engineering records 6 years',
        },
        {
          name: 'everything-engineering-is-restricted',
          priority: 60,
          conditions: { all: [{ fact: 'topic', operator: 'equal', value: 'engineering' }] },
          decide: { classification: 'restricted' },
          because: 'test config',
        },
      ],
    };
    const result = await createPolicyModel(strict).invoke({ document_id: 'pol-cfg-1', text: ENGINEERING_DOC, pii: {} });
    expect(result.output.decision).toEqual({ classification: 'restricted', topic: 'engineering', retention: '6y', route: 'secure-store' });
    expect(result.output.rules_triggered).toContain('engineering-retain-longer');
  });

  it('a higher-priority rule wins a field over a lower one', async () => {
    const result = await policy.invoke({
      document_id: 'pol-prio-1',
      text: 'The patient diagnosis, treatment, medication and dosage were reviewed by the physician.',
      pii: { SSN: 1 },
    });
    // sensitive-topic also fired (confidential) but pii-present (restricted) has higher priority.
    expect(result.output.rules_triggered).toContain('sensitive-topic');
    expect(result.output.decision.classification).toBe('restricted');
  });

  it('rejects a config with duplicate rule names', () => {
    const rule = DEFAULT_POLICY_CONFIG.rules[0];
    expect(() => createPolicyModel({ ...DEFAULT_POLICY_CONFIG, rules: [rule, rule] as PolicyConfig['rules'] })).toThrow(PolicyConfigError);
  });

  it('adds delay_ms of latency', async () => {
    const slow = createPolicyModel({ ...DEFAULT_POLICY_CONFIG, delay_ms: 50 });
    const started = performance.now();
    await slow.invoke({ document_id: 'pol-slow-1', text: GENERAL_DOC, pii: {} });
    expect(performance.now() - started).toBeGreaterThanOrEqual(45);
  });
});
