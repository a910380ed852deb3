import type { CreateExperimentBody, Deployment, Experiment } from '@frostbyte/contracts';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { apiPost } from '../../../lib/api-client.ts';
import { type FieldErrors, parseTenants, registryKeys, TENANT } from './registry-keys.ts';

export interface CreateExperimentInput {
  name: string;
  modelName: string;
  stage: string;
  control: string;
  treatment: string;
  percent: string;
  tenants: string;
  reason: string;
}
export type CreateExperimentField = 'name' | 'control' | 'treatment' | 'percent' | 'tenants' | 'reason';

/** The input schema of this mutation (`CreateExperimentBody`). */
export function parseCreateExperimentInput(input: CreateExperimentInput): {
  body: CreateExperimentBody | null;
  errors: FieldErrors<CreateExperimentField>;
} {
  const errors: FieldErrors<CreateExperimentField> = {};
  const name = input.name.trim();
  if (!name) errors.name = 'Name the experiment.';
  else if (name.length > 200) errors.name = 'At most 200 characters.';
  if (!input.control) errors.control = 'Pick the control version.';
  if (!input.treatment) errors.treatment = 'Pick the treatment version.';
  else if (input.treatment === input.control) errors.treatment = 'The treatment must be a different version from the control.';
  const percent = Number(input.percent);
  if (!input.percent.trim() || !Number.isFinite(percent) || percent <= 0 || percent >= 100)
    errors.percent = 'A share between 0 and 100 (exclusive), e.g. 20.';
  const tenants = parseTenants(input.tenants);
  const bad = (tenants ?? []).filter((t) => !TENANT.test(t));
  if (bad.length) errors.tenants = `Not a tenant id: ${bad.join(', ')}.`;
  if (input.reason.trim().length < 3) errors.reason = 'Say why (at least 3 characters).';
  if (Object.keys(errors).length) return { body: null, errors };
  return {
    body: {
      name,
      stage: input.stage,
      control: { model_name: input.modelName, version: input.control },
      treatment: { model_name: input.modelName, version: input.treatment },
      treatment_percent: percent,
      tenants,
      reason: input.reason.trim(),
    },
    errors,
  };
}

/** `POST /v1/experiments`. */
export const createExperiment = (body: CreateExperimentBody) =>
  apiPost<{ experiment: Experiment; deployment: Deployment }>('/v1/experiments', body);

export function useCreateExperiment(modelName: string) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: createExperiment,
    onSuccess: () =>
      Promise.all([
        qc.invalidateQueries({ queryKey: registryKeys.experiments() }),
        qc.invalidateQueries({ queryKey: registryKeys.model(modelName) }),
      ]),
  });
}
