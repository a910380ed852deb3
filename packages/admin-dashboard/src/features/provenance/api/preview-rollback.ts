import type { RollbackPreview, RollbackPreviewBody } from '@frostbyte/contracts';
import { queryOptions, useQuery } from '@tanstack/react-query';
import { apiRequest } from '../../../lib/api-client.ts';
import { registryKeys } from './registry-keys.ts';

/** `POST /v1/models/{name}/rollback/preview`: a read (no change), so it is a query keyed by its body. */
export const previewRollback = (name: string, body: RollbackPreviewBody, signal?: AbortSignal) =>
  apiRequest<RollbackPreview>(`/v1/models/${encodeURIComponent(name)}/rollback/preview`, { method: 'POST', body, signal });

export const rollbackPreviewQueryOptions = (name: string, body: RollbackPreviewBody, enabled: boolean) =>
  queryOptions({
    queryKey: [...registryKeys.model(name), 'rollback-preview', body],
    queryFn: ({ signal }) => previewRollback(name, body, signal),
    enabled: enabled && !!name,
    // In-flight counts move by the second: never show an old preview as current.
    staleTime: 0,
    gcTime: 0,
  });

export const useRollbackPreview = (name: string, body: RollbackPreviewBody, enabled: boolean) =>
  useQuery(rollbackPreviewQueryOptions(name, body, enabled));
