import type { AlertRules, AlertRulesState, AlertRulesUpdate } from '@frostbyte/contracts';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { apiGet, apiRequest } from '../../../lib/api-client.ts';

export const alertRulesKey = ['alerts', 'rules'] as const;

/** `GET /v1/alerts/rules`: the thresholds in force, the defaults, who changed them last. */
export const useAlertRules = () =>
  useQuery({ queryKey: alertRulesKey, queryFn: ({ signal }) => apiGet<AlertRulesState>('/v1/alerts/rules', undefined, signal) });

/** `PATCH /v1/alerts/rules` with the changed fields, or `DELETE` (back to the defaults). */
export function useChangeAlertRules() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (change: AlertRulesUpdate | 'reset') =>
      change === 'reset'
        ? apiRequest<AlertRulesState>('/v1/alerts/rules', { method: 'DELETE' })
        : apiRequest<AlertRulesState>('/v1/alerts/rules', { method: 'PATCH', body: change }),
    onSuccess: (state) => qc.setQueryData(alertRulesKey, state),
  });
}

export type RuleKey = keyof AlertRules;

/** How each threshold reads in the UI: a label, its unit, and `percent` for shares kept as 0–1. */
export const RULE_FIELDS: readonly { key: RuleKey; label: string; unit: string; percent?: boolean }[] = [
  { key: 'window_s', label: 'Recent window judged', unit: 's' },
  { key: 'baseline_s', label: 'Baseline before it', unit: 's' },
  { key: 'error_rate_warning', label: 'Error rate: warning at', unit: '%', percent: true },
  { key: 'error_rate_critical', label: 'Error rate: critical at', unit: '%', percent: true },
  { key: 'min_error_calls', label: 'Calls before the error rate counts', unit: 'calls' },
  { key: 'latency_factor', label: 'p95 over its baseline by', unit: '×' },
  { key: 'latency_floor_ms', label: '… and at least', unit: 'ms' },
  { key: 'min_window_calls', label: 'Calls in the window before latency counts', unit: 'calls' },
  { key: 'min_baseline_calls', label: 'Calls in the baseline before latency counts', unit: 'calls' },
  { key: 'share_bottleneck', label: 'Share of latency that names a bottleneck', unit: '%', percent: true },
  { key: 'backlog_min', label: 'In flight that makes a backlog', unit: 'calls' },
  { key: 'backlog_factor', label: "… and times the next stage's", unit: '×' },
  { key: 'cost_factor', label: 'Cost spike: last hour over the previous by', unit: '×' },
  { key: 'cost_floor_usd', label: '… and at least', unit: 'USD' },
  { key: 'silent_after_s', label: 'Silent stage after', unit: 's' },
  { key: 'silent_min_baseline_calls', label: '… if it had in the baseline', unit: 'calls' },
];

/** A rule's value as shown and typed (percentages as 0–100). */
export const shown = (f: (typeof RULE_FIELDS)[number], v: number) => (f.percent ? Math.round(v * 10_000) / 100 : v);

/** The fields of a form that differ from `current`, in the API's units; or the first field that is not a number. */
export function changedRules(current: AlertRules, draft: Record<RuleKey, string>): { change: AlertRulesUpdate } | { invalid: RuleKey } {
  const change: Record<string, number> = {};
  for (const f of RULE_FIELDS) {
    const text = draft[f.key].trim();
    const n = Number(text);
    if (text === '' || !Number.isFinite(n)) return { invalid: f.key };
    const value = f.percent ? Math.round(n * 100) / 10_000 : n;
    if (value !== current[f.key]) change[f.key] = value;
  }
  return { change: change as AlertRulesUpdate };
}
