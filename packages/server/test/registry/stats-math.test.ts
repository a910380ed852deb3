import { experimentBucket, experimentVariant } from '@frostbyte/contracts';
import { describe, expect, it } from 'vitest';
import { normalCdf, studentTTwoSidedP, twoProportionZTest, welchTTest } from '../../src/registry/stats-math.ts';

/** Reference values from SciPy 1.x (scipy.stats.norm / t / ttest_ind_from_stats). */
describe('A/B statistics', () => {
  it('normal CDF matches SciPy to 1e-7', () => {
    expect(normalCdf(1.96)).toBeCloseTo(0.9750021048517795, 7);
    expect(normalCdf(0)).toBeCloseTo(0.5, 7);
    expect(normalCdf(-3)).toBeCloseTo(0.0013498980316301, 7);
  });

  it('Student t two-sided p-values match SciPy', () => {
    expect(studentTTwoSidedP(2.0, 10)).toBeCloseTo(0.07338803477074037, 6);
    expect(studentTTwoSidedP(3.5, 3)).toBeCloseTo(0.039481037619282774, 6);
  });

  it('two-proportion z-test: 10/100 against 25/100', () => {
    const r = twoProportionZTest(10, 100, 25, 100);
    expect(r.statistic).toBeCloseTo(2.7914526311954124, 6);
    expect(r.p_value).toBeCloseTo(0.00524720373911564, 6);
    expect(twoProportionZTest(0, 50, 0, 50)).toEqual({ statistic: 0, p_value: 1 });
    expect(twoProportionZTest(1, 0, 1, 10).p_value).toBeNull();
  });

  it("Welch's t-test matches scipy.stats.ttest_ind_from_stats(equal_var=False)", () => {
    // control mean 20 sd 2 n 10, treatment mean 22 sd 3 n 12
    const r = welchTTest(20, 4, 10, 22, 9, 12);
    expect(r.statistic).toBeCloseTo(1.8650096164806276, 6);
    expect(r.p_value).toBeCloseTo(0.07754643868205859, 5);
    expect(r.df).toBeCloseTo(19.19, 1);
  });

  it('experiment assignment is sticky per document and close to the requested split', () => {
    const id = '0190f0f0-0000-7000-8000-000000000001';
    expect(experimentVariant(id, 'doc-1', 30)).toBe(experimentVariant(id, 'doc-1', 30));
    const n = 20_000;
    let treated = 0;
    for (let i = 0; i < n; i++) if (experimentVariant(id, `doc-${i}`, 30) === 'treatment') treated++;
    expect(treated / n).toBeGreaterThan(0.28);
    expect(treated / n).toBeLessThan(0.32);
    // A bigger share only adds documents to the treatment: nobody switches back.
    for (let i = 0; i < 500; i++)
      if (experimentVariant(id, `doc-${i}`, 30) === 'treatment') expect(experimentVariant(id, `doc-${i}`, 60)).toBe('treatment');
    expect(experimentBucket(id, 'x')).toBeGreaterThanOrEqual(0);
    expect(experimentBucket(id, 'x')).toBeLessThan(10_000);
  });
});
