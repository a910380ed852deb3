import { type TSchema, Type } from '@sinclair/typebox';
import { TENANT_PATTERN } from './ids.ts';

/**
 * Building blocks shared by the resource contracts (models, deployments, experiments,
 * pipeline, alerts). Internal to this package: `index.ts` does not re-export them.
 */

export const Nullable = <T extends TSchema>(t: T) => Type.Union([t, Type.Null()]);
/** For inputs: null first, or Ajv's type coercion would turn a null into '' or [null]. */
export const NullableIn = <T extends TSchema>(t: T, o: object = {}) => Type.Union([Type.Null(), t], o);
export const Slug = (description: string, maxLength = 128) =>
  Type.String({ minLength: 1, maxLength, pattern: '^[A-Za-z0-9][A-Za-z0-9._:/@+-]*$', description });

export const Reason = Type.String({ minLength: 3, maxLength: 2000, description: 'Why: kept in the deployment history and the audit log.' });
export const Tenants = Type.Array(Type.String({ pattern: TENANT_PATTERN }), {
  minItems: 1,
  maxItems: 500,
  uniqueItems: true,
  description: 'Tenants this applies to; absent or null = every tenant.',
});

export const ConfigObject = Type.Record(Type.String(), Type.Unknown(), {
  description: "Everything that changes the model's behaviour (any JSON object).",
});
