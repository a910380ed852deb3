import type { DocumentStatus } from '@frostbyte/contracts';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { apiGet, apiPost } from '../../../lib/api-client.ts';
import { auditKeys, type FieldErrors } from './audit-keys.ts';

/** A document's controls (`GET /v1/documents/:id?tenant_id=…`). */
export type { DocumentStatus } from '@frostbyte/contracts';

export interface EraseResult {
  tenant_id: string;
  document_id: string;
  erased_events: number;
  erased_traces: number;
  erased_at: string;
}

export const MAX_HOLD_REASON = 500;
const TENANT_RE = /^[a-z0-9][a-z0-9_-]{0,62}$/;
const docPath = (document: string, action = '') => `/v1/documents/${encodeURIComponent(document)}${action}`;

/** The lookup form's input schema: tenant + document id. */
export function parseLookupInput(input: { tenant: string; document: string }): {
  value: { tenant: string; document: string } | null;
  errors: FieldErrors<'tenant' | 'document'>;
} {
  const errors: FieldErrors<'tenant' | 'document'> = {};
  const tenant = input.tenant.trim();
  const document = input.document.trim();
  if (!TENANT_RE.test(tenant)) errors.tenant = 'A tenant id: lowercase letters, digits, - and _.';
  if (!document) errors.document = 'Type the document id (as the pipeline recorded it).';
  else if (document.length > 512) errors.document = 'At most 512 characters.';
  return Object.keys(errors).length ? { value: null, errors } : { value: { tenant, document }, errors };
}

/** The hold form's input schema: a reason of 1–500 characters. */
export function parseHoldInput(reason: string): { reason: string | null; error?: string } {
  const r = reason.trim();
  if (!r) return { reason: null, error: 'Say why the document is held (a case, a request, a regulator).' };
  if (r.length > MAX_HOLD_REASON) return { reason: null, error: `At most ${MAX_HOLD_REASON} characters (this one has ${r.length}).` };
  return { reason: r };
}

/** Erasure is asked for by typing the document id: only an exact match confirms. */
export const eraseConfirmed = (typed: string, document: string) => typed === document;

export const getDocument = (tenant: string, document: string, signal?: AbortSignal) =>
  apiGet<DocumentStatus>(docPath(document), { tenant_id: tenant }, signal);

export const useDocument = (tenant: string, document: string) =>
  useQuery({
    queryKey: auditKeys.document(tenant, document),
    queryFn: ({ signal }) => getDocument(tenant, document, signal),
    enabled: Boolean(tenant && document),
    retry: false,
  });

/** Hold, release and erase: each writes an audit entry, so the log and the status are refreshed. */
function useDocumentMutation<TBody, TResult>(tenant: string, document: string, call: (body: TBody) => Promise<TResult>) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: call,
    onSuccess: async (result) => {
      if (result && typeof result === 'object' && 'held' in result) qc.setQueryData(auditKeys.document(tenant, document), result);
      await Promise.all([
        qc.invalidateQueries({ queryKey: auditKeys.document(tenant, document) }),
        qc.invalidateQueries({ queryKey: auditKeys.logs() }),
      ]);
    },
  });
}

/** `POST /v1/documents/:id/hold` `{ tenant_id, reason }`. */
export const useHoldDocument = (tenant: string, document: string) =>
  useDocumentMutation(tenant, document, (reason: string) =>
    apiPost<DocumentStatus>(docPath(document, '/hold'), { tenant_id: tenant, reason }),
  );

/** `POST /v1/documents/:id/release` `{ tenant_id }`; 409 if it is not held. */
export const useReleaseDocument = (tenant: string, document: string) =>
  useDocumentMutation(tenant, document, (_: undefined) => apiPost<DocumentStatus>(docPath(document, '/release'), { tenant_id: tenant }));

/** `POST /v1/documents/:id/erase` `{ tenant_id, confirm: true }`; 409 while held. */
export const useEraseDocument = (tenant: string, document: string) =>
  useDocumentMutation(tenant, document, (_: undefined) =>
    apiPost<EraseResult>(docPath(document, '/erase'), { tenant_id: tenant, confirm: true }),
  );
