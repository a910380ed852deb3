import type { EventFilter, ModelEvent } from '@frostbyte/contracts';
import type { TenantScope } from '../kernel/tenant-scope.ts';

/** The same filter semantics as the SQL `Where.filter`, for live events. */
export function eventMatcher(scope: TenantScope, f: EventFilter): (e: ModelEvent) => boolean {
  return (e) =>
    (scope === '*' || scope.includes(e.tenant_id)) &&
    (!f.tenant_id || e.tenant_id === f.tenant_id) &&
    (!f.model_name || e.model_name === f.model_name) &&
    (!f.model_version || e.model_version === f.model_version) &&
    (!f.document_id || e.document_id === f.document_id) &&
    (!f.document_prefix || (e.document_id ?? '').startsWith(f.document_prefix)) &&
    (!f.operation || e.operation === f.operation) &&
    (!f.stage || e.stage === f.stage) &&
    (!f.status || e.status === f.status);
}
