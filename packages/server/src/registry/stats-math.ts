/**
 * The statistics behind the A/B verdicts, implemented here rather than pulled from a
 * library: a normal CDF (erfc by the Numerical Recipes Chebyshev fit, fractional error
 * < 1.2e-7 everywhere — far finer than any p-value is read), Student's t CDF through
 * the regularised incomplete beta function (Lentz's continued fraction), a pooled
 * two-proportion z-test and Welch's unequal-variance t-test.
 */

/** erfc(x), x ≥ 0, via the Numerical Recipes Chebyshev fit (fractional error < 1.2e-7). */
function erfcPositive(x: number): number {
  const t = 1 / (1 + 0.5 * x);
  const y =
    t *
    Math.exp(
      -x * x -
        1.26551223 +
        t *
          (1.00002368 +
            t *
              (0.37409196 +
                t *
                  (0.09678418 +
                    t * (-0.18628806 + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277)))))))),
    );
  return y;
}

export function erfc(x: number): number {
  return x >= 0 ? erfcPositive(x) : 2 - erfcPositive(-x);
}

/** Standard normal CDF Φ(z). */
export function normalCdf(z: number): number {
  return 0.5 * erfc(-z / Math.SQRT2);
}

/** ln Γ(x), Lanczos (g = 7, n = 9). */
function lnGamma(x: number): number {
  const c = [
    0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059, 12.507343278686905,
    -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7,
  ];
  if (x < 0.5) return Math.log(Math.PI / Math.abs(Math.sin(Math.PI * x))) - lnGamma(1 - x);
  const xx = x - 1;
  let a = c[0] as number;
  const t = xx + 7.5;
  for (let i = 1; i < 9; i++) a += (c[i] as number) / (xx + i);
  return 0.5 * Math.log(2 * Math.PI) + (xx + 0.5) * Math.log(t) - t + Math.log(a);
}

/** Continued fraction of the incomplete beta (modified Lentz). */
function betaCf(a: number, b: number, x: number): number {
  const tiny = 1e-300;
  let c = 1;
  let d = 1 - ((a + b) * x) / (a + 1);
  if (Math.abs(d) < tiny) d = tiny;
  d = 1 / d;
  let h = d;
  for (let m = 1; m <= 300; m++) {
    const m2 = 2 * m;
    let aa = (m * (b - m) * x) / ((a - 1 + m2) * (a + m2));
    d = 1 + aa * d;
    if (Math.abs(d) < tiny) d = tiny;
    c = 1 + aa / c;
    if (Math.abs(c) < tiny) c = tiny;
    d = 1 / d;
    h *= d * c;
    aa = (-(a + m) * (a + b + m) * x) / ((a + m2) * (a + 1 + m2));
    d = 1 + aa * d;
    if (Math.abs(d) < tiny) d = tiny;
    c = 1 + aa / c;
    if (Math.abs(c) < tiny) c = tiny;
    d = 1 / d;
    const del = d * c;
    h *= del;
    if (Math.abs(del - 1) < 1e-14) break;
  }
  return h;
}

/** Regularised incomplete beta I_x(a, b). */
export function incompleteBeta(x: number, a: number, b: number): number {
  if (x <= 0) return 0;
  if (x >= 1) return 1;
  const front = Math.exp(lnGamma(a + b) - lnGamma(a) - lnGamma(b) + a * Math.log(x) + b * Math.log(1 - x));
  return x < (a + 1) / (a + b + 2) ? (front * betaCf(a, b, x)) / a : 1 - (front * betaCf(b, a, 1 - x)) / b;
}

/** Two-sided p-value of Student's t with `df` degrees of freedom. Beyond ~1e6 df
 * the normal approximation is exact to the digits that matter. */
export function studentTTwoSidedP(t: number, df: number): number {
  if (!Number.isFinite(t)) return 0;
  if (df > 1e6) return 2 * (1 - normalCdf(Math.abs(t)));
  return incompleteBeta(df / (df + t * t), df / 2, 0.5);
}

export interface TestResult {
  statistic: number | null;
  p_value: number | null;
  /** Degrees of freedom (Welch) or null. */
  df?: number | null;
}

/** Pooled two-proportion z-test of H0: p1 = p2 (two-sided). */
export function twoProportionZTest(x1: number, n1: number, x2: number, n2: number): TestResult {
  if (n1 === 0 || n2 === 0) return { statistic: null, p_value: null };
  const p1 = x1 / n1;
  const p2 = x2 / n2;
  const p = (x1 + x2) / (n1 + n2);
  const se = Math.sqrt(p * (1 - p) * (1 / n1 + 1 / n2));
  if (se === 0) return { statistic: 0, p_value: 1 };
  const z = (p2 - p1) / se;
  return { statistic: z, p_value: Math.min(1, 2 * (1 - normalCdf(Math.abs(z)))) };
}

/** Welch's t-test of H0: μ1 = μ2 from summary statistics (sample variances). */
export function welchTTest(mean1: number, var1: number, n1: number, mean2: number, var2: number, n2: number): TestResult {
  if (n1 < 2 || n2 < 2) return { statistic: null, p_value: null, df: null };
  const s1 = var1 / n1;
  const s2 = var2 / n2;
  const se = Math.sqrt(s1 + s2);
  if (se === 0) return { statistic: mean1 === mean2 ? 0 : null, p_value: mean1 === mean2 ? 1 : 0, df: null };
  const t = (mean2 - mean1) / se;
  const df = (s1 + s2) ** 2 / (s1 ** 2 / (n1 - 1) + s2 ** 2 / (n2 - 1));
  return { statistic: t, p_value: Math.min(1, studentTTwoSidedP(t, df)), df };
}
