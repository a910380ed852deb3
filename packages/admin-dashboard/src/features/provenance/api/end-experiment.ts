import type { Deployment, Experiment, VariantName } from '@frostbyte/contracts';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { apiPost } from '../../../lib/api-client.ts';
import { registryKeys } from './registry-keys.ts';

/**
 * Ending an experiment, the two ways: `stop` (everyone back to what is deployed) or
 * `promote` (deploy a variant — the named one, else the significant winner — and end).
 * One file for both: they share their input (a reason) and what they invalidate.
 */
export interface EndExperimentInput {
  id: string;
  action: 'stop' | 'promote';
  variant?: VariantName;
  reason: string;
}

export function endExperimentError(input: EndExperimentInput): string | null {
  return input.reason.trim().length < 3 ? 'Say why (at least 3 characters).' : null;
}

/** `POST /v1/experiments/{id}/stop` or `/promote`. */
export function endExperiment(input: EndExperimentInput): Promise<Experiment | { experiment: Experiment; deployment: Deployment | null }> {
  const path = `/v1/experiments/${encodeURIComponent(input.id)}/${input.action}`;
  const reason = input.reason.trim();
  return input.action === 'stop'
    ? apiPost<Experiment>(path, { reason })
    : apiPost(path, input.variant ? { variant: input.variant, reason } : { reason });
}

export function useEndExperiment(modelName: string) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: endExperiment,
    onSuccess: (_r, input) =>
      Promise.all([
        qc.invalidateQueries({ queryKey: registryKeys.experiments() }),
        qc.invalidateQueries({ queryKey: registryKeys.experimentResults(input.id) }),
        qc.invalidateQueries({ queryKey: registryKeys.model(modelName) }),
      ]),
  });
}
