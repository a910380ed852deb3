import { queryOptions, useQuery } from '@tanstack/react-query';
import { ApiError, apiGet } from '../../../lib/api-client.ts';

export type Role = 'admin' | 'ml_engineer' | 'compliance_officer' | 'operator' | 'viewer';

export interface Session {
  user: { id: string; name: string };
  role: Role;
  /** `'*'` means every tenant. */
  tenants: string[];
  permissions: string[];
  /** True when the server has no auth yet (no `/v1/session`): we act as an anonymous admin. */
  anonymous?: boolean;
}

const ANONYMOUS: Session = {
  user: { id: 'anonymous', name: 'Anonymous' },
  role: 'admin',
  tenants: ['*'],
  permissions: ['*'],
  anonymous: true,
};

/** `GET /v1/session`. A 404 means the server predates auth: the dashboard still works. */
export async function getSession(signal?: AbortSignal): Promise<Session> {
  try {
    return await apiGet<Session>('/v1/session', undefined, signal);
  } catch (err) {
    if (err instanceof ApiError && err.status === 404) return ANONYMOUS;
    throw err;
  }
}

export const sessionQueryOptions = (token: string | null) =>
  queryOptions({
    queryKey: ['session', token ? 'token' : 'none', token?.slice(-12) ?? ''],
    queryFn: ({ signal }) => getSession(signal),
    staleTime: 60_000,
    retry: (count, err) => !(err instanceof ApiError && (err.status === 401 || err.status === 403)) && count < 2,
  });

export const useSession = (token: string | null) => useQuery(sessionQueryOptions(token));
