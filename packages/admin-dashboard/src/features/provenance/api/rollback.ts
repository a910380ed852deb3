import type { Deployment, RollbackBody } from '@frostbyte/contracts';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { apiPost } from '../../../lib/api-client.ts';
import { type FieldErrors, registryKeys } from './registry-keys.ts';

export interface RollbackInput {
  toVersion: string;
  tenants: string[] | null;
  reason: string;
  /** From the preview: the rollback fails (409) if the active version changed since. */
  expectedCurrent: string;
}

/** The input schema of this mutation (`RollbackBody`). */
export function parseRollbackInput(input: RollbackInput): { body: RollbackBody | null; errors: FieldErrors<'reason' | 'toVersion'> } {
  const errors: FieldErrors<'reason' | 'toVersion'> = {};
  if (!input.toVersion) errors.toVersion = 'Pick the version to roll back to.';
  if (input.reason.trim().length < 3) errors.reason = 'Say why you roll back (at least 3 characters).';
  if (Object.keys(errors).length) return { body: null, errors };
  return {
    body: {
      to_version: input.toVersion,
      tenants: input.tenants,
      reason: input.reason.trim(),
      expected_current_version: input.expectedCurrent,
    },
    errors,
  };
}

/** `POST /v1/models/{name}/rollback`. */
export const rollback = (name: string, body: RollbackBody) => apiPost<Deployment>(`/v1/models/${encodeURIComponent(name)}/rollback`, body);

export function useRollback(name: string) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (body: RollbackBody) => rollback(name, body),
    onSuccess: () =>
      Promise.all([
        qc.invalidateQueries({ queryKey: registryKeys.model(name) }),
        qc.invalidateQueries({ queryKey: registryKeys.models() }),
        // A rollback stops a running experiment on the stage.
        qc.invalidateQueries({ queryKey: registryKeys.experiments() }),
      ]),
  });
}
