import { describe, expect, it } from 'vitest';
import { parseDeployInput } from './deploy-version.ts';
import { parseCreateExperimentInput } from './create-experiment.ts';
import { parseRegisterVersionInput } from './register-version.ts';

describe('mutation input schemas', () => {
  it('register: parses JSON config and prices, or says what to fix per field', () => {
    const ok = parseRegisterVersionInput({
      version: ' 1.1.0 ',
      config: '{"delay_ms": 500}',
      pricing: { per_call: '0.0001', per_page: '' },
      reason: 'slower on purpose',
    });
    expect(ok.body).toEqual({ version: '1.1.0', config: { delay_ms: 500 }, pricing: { per_call: 0.0001 }, reason: 'slower on purpose' });

    const bad = parseRegisterVersionInput({ version: '-x', config: '[1]', pricing: { per_call: '-1', input_per_1k: 'abc' }, reason: 'no' });
    expect(bad.body).toBeNull();
    expect(Object.keys(bad.errors).sort()).toEqual(['config', 'input_per_1k', 'per_call', 'reason', 'version']);
    expect(parseRegisterVersionInput({ version: '1', config: '{oops', pricing: {}, reason: 'why not' }).errors.config).toMatch(
      /^Not valid JSON/,
    );
  });

  it('deploy: every tenant (null) or the named, valid tenants', () => {
    expect(
      parseDeployInput({ version: '1.1.0', scope: 'all', tenants: 'ignored', reason: 'ship it', expectedCurrent: '1.0.0' }).body,
    ).toEqual({
      version: '1.1.0',
      tenants: null,
      reason: 'ship it',
      expected_current_version: '1.0.0',
    });
    expect(parseDeployInput({ version: '1.1.0', scope: 'some', tenants: 'acme, globex acme', reason: 'canary' }).body?.tenants).toEqual([
      'acme',
      'globex',
    ]);
    expect(parseDeployInput({ version: '1.1.0', scope: 'some', tenants: 'Bad Tenant!', reason: 'canary' }).errors.tenants).toMatch(
      /Not a tenant id/,
    );
    expect(parseDeployInput({ version: '1.1.0', scope: 'some', tenants: ' ', reason: 'canary' }).errors.tenants).toMatch(/at least one/);
  });

  it('experiment: two different versions and a share strictly between 0 and 100', () => {
    const base = {
      name: 'chunks',
      modelName: 'docparse',
      stage: 'parse',
      control: '1.0.0',
      treatment: '1.1.0',
      percent: '20',
      tenants: '',
      reason: 'smaller chunks',
    };
    expect(parseCreateExperimentInput(base).body).toMatchObject({
      treatment_percent: 20,
      tenants: null,
      control: { model_name: 'docparse', version: '1.0.0' },
    });
    expect(parseCreateExperimentInput({ ...base, percent: '100' }).errors.percent).toBeDefined();
    expect(parseCreateExperimentInput({ ...base, treatment: '1.0.0' }).errors.treatment).toMatch(/different/);
  });
});
