import type { ModelVersion, Pricing, RegisterVersionBody } from '@frostbyte/contracts';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { apiPost } from '../../../lib/api-client.ts';
import { type FieldErrors, registryKeys, SLUG } from './registry-keys.ts';

export const PRICING_KEYS = [
  'input_per_1k',
  'output_per_1k',
  'cached_input_per_1k',
  'cache_write_per_1k',
  'reasoning_per_1k',
  'per_page',
  'per_call',
] as const satisfies readonly (keyof Pricing)[];
export type PricingKey = (typeof PRICING_KEYS)[number];

/** The form as typed: configuration as JSON text, prices as text fields. */
export interface RegisterVersionInput {
  version: string;
  config: string;
  pricing: Partial<Record<PricingKey, string>>;
  reason: string;
}
export type RegisterVersionField = 'version' | 'config' | 'reason' | PricingKey;

/**
 * The input schema of this mutation: the same rules the server applies
 * (`RegisterVersionBody`), checked before sending so the form can point at the field.
 * Returns the request body, or the errors per field.
 */
export function parseRegisterVersionInput(input: RegisterVersionInput): {
  body: RegisterVersionBody | null;
  errors: FieldErrors<RegisterVersionField>;
} {
  const errors: FieldErrors<RegisterVersionField> = {};
  const version = input.version.trim();
  if (!version) errors.version = 'Give the version a name, e.g. 1.1.0.';
  else if (version.length > 64 || !SLUG.test(version))
    errors.version = 'Letters, digits and . _ : / @ + - only, starting with a letter or digit (at most 64).';

  let config: Record<string, unknown> = {};
  if (input.config.trim()) {
    try {
      const parsed: unknown = JSON.parse(input.config);
      if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed))
        errors.config = 'The configuration must be a JSON object, e.g. {"delay_ms": 0}.';
      else config = parsed as Record<string, unknown>;
    } catch (err) {
      errors.config = `Not valid JSON: ${(err as Error).message}`;
    }
  }

  const pricing: Pricing = {};
  for (const key of PRICING_KEYS) {
    const text = input.pricing[key]?.trim();
    if (!text) continue;
    const n = Number(text);
    if (!Number.isFinite(n) || n < 0) errors[key] = 'A price in USD, zero or more.';
    else pricing[key] = n;
  }

  const reason = input.reason.trim();
  if (reason.length < 3) errors.reason = 'Say why (at least 3 characters): it goes into the history and the audit log.';
  else if (reason.length > 2000) errors.reason = 'At most 2000 characters.';

  if (Object.keys(errors).length) return { body: null, errors };
  return { body: { version, config, pricing, reason }, errors };
}

/** `POST /v1/models/{name}/versions`. */
export const registerVersion = (name: string, body: RegisterVersionBody) =>
  apiPost<ModelVersion>(`/v1/models/${encodeURIComponent(name)}/versions`, body);

export function useRegisterVersion(name: string) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (body: RegisterVersionBody) => registerVersion(name, body),
    onSuccess: () =>
      Promise.all([
        qc.invalidateQueries({ queryKey: registryKeys.model(name) }),
        qc.invalidateQueries({ queryKey: registryKeys.models() }),
      ]),
  });
}
