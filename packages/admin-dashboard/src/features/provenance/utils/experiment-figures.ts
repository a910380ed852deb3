import type { ExperimentResults, SignificanceTest, VariantResult } from '@frostbyte/contracts';
import { formatCost, formatCount, formatMs, formatPercent } from '../../../lib/format.ts';

/** A/B results in words and bars: what the charts draw and what they say. */

/** "p = 0.031" / "p < 0.001"; the p-value as people read it. */
export function pValueText(p: number | null): string {
  if (p === null || Number.isNaN(p)) return 'p not computable';
  if (p < 0.001) return 'p < 0.001';
  return `p = ${p.toFixed(p < 0.01 ? 3 : 2)}`;
}

/** "Significant at 95 %? Yes — treatment is better (p = 0.012, two-proportion z-test)." */
export function significanceText(what: string, t: SignificanceTest, alpha: number): string {
  const level = `${Math.round((1 - alpha) * 100)} %`;
  const answer = t.p_value === null ? 'Not enough data' : t.significant ? `Yes — ${t.better ?? 'a variant'} is better` : 'No';
  return `${what}: significant at ${level}? ${answer} (${pValueText(t.p_value)}, ${t.test}).`;
}

export interface Bar {
  label: string;
  value: number | null;
  text: string;
}

export type VariantMetric = 'calls' | 'error_rate' | 'p50_ms' | 'p95_ms' | 'cost_per_document_usd';

const METRIC_FORMAT: Record<VariantMetric, (v: number | null) => string> = {
  calls: formatCount,
  error_rate: formatPercent,
  p50_ms: formatMs,
  p95_ms: formatMs,
  cost_per_document_usd: formatCost,
};

export const variantLabel = (v: VariantResult) => `${v.variant} (${v.version})`;

export function variantBars(variants: readonly VariantResult[], metric: VariantMetric): Bar[] {
  return variants.map((v) => {
    const value = metric === 'error_rate' && v.calls === 0 ? null : (v[metric] as number | null);
    return { label: variantLabel(v), value, text: METRIC_FORMAT[metric](value) };
  });
}

/** Bar lengths as fractions of the largest value (0 when all are 0 or missing). */
export function barFractions(bars: readonly Bar[]): number[] {
  const max = Math.max(0, ...bars.map((b) => b.value ?? 0));
  return bars.map((b) => (max > 0 && b.value !== null ? b.value / max : 0));
}

/** The confidence histogram of each variant on the same ten buckets, as shares of its calls. */
export function confidenceShares(v: VariantResult): { range: string; count: number; share: number }[] {
  const total = v.confidence.buckets.reduce((s, b) => s + b.count, 0);
  return v.confidence.buckets.map((b) => ({
    range: `${b.from.toFixed(1)}–${b.to.toFixed(1)}`,
    count: b.count,
    share: total ? b.count / total : 0,
  }));
}

export function agreementText(r: ExperimentResults): string {
  const a = r.agreement;
  if (!a.compared_documents || a.rate === null) return 'Agreement: no document has a decision from both variants yet.';
  return `Agreement: ${formatPercent(a.rate)} — the variants decided the same on ${a.agreeing} of ${a.compared_documents} documents.`;
}
