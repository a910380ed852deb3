import type { DeployBody, Deployment } from '@frostbyte/contracts';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { apiPost } from '../../../lib/api-client.ts';
import { type FieldErrors, parseTenants, registryKeys, TENANT } from './registry-keys.ts';

export interface DeployInput {
  version: string;
  /** `all` or `some` (then `tenants` lists them). */
  scope: 'all' | 'some';
  tenants: string;
  reason: string;
  /** The version the user saw active; the server answers 409 if a deploy changed it since. */
  expectedCurrent?: string | null;
}
export type DeployField = 'version' | 'tenants' | 'reason';

/** The input schema of this mutation (`DeployBody`): validated before sending. */
export function parseDeployInput(input: DeployInput): { body: DeployBody | null; errors: FieldErrors<DeployField> } {
  const errors: FieldErrors<DeployField> = {};
  if (!input.version) errors.version = 'Pick the version to deploy.';
  let tenants: string[] | null = null;
  if (input.scope === 'some') {
    tenants = parseTenants(input.tenants);
    const bad = (tenants ?? []).filter((t) => !TENANT.test(t));
    if (!tenants) errors.tenants = 'Name at least one tenant, or choose every tenant.';
    else if (bad.length) errors.tenants = `Not a tenant id: ${bad.join(', ')} (lower-case letters, digits, _ and -).`;
  }
  const reason = input.reason.trim();
  if (reason.length < 3) errors.reason = 'Say why (at least 3 characters).';
  if (Object.keys(errors).length) return { body: null, errors };
  const body: DeployBody = { version: input.version, tenants, reason };
  if (input.expectedCurrent !== undefined) body.expected_current_version = input.expectedCurrent;
  return { body, errors };
}

/** `POST /v1/models/{name}/deployments`. */
export const deployVersion = (name: string, body: DeployBody) =>
  apiPost<Deployment>(`/v1/models/${encodeURIComponent(name)}/deployments`, body);

export function useDeployVersion(name: string) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (body: DeployBody) => deployVersion(name, body),
    onSuccess: () =>
      Promise.all([
        qc.invalidateQueries({ queryKey: registryKeys.model(name) }),
        qc.invalidateQueries({ queryKey: registryKeys.models() }),
      ]),
  });
}
