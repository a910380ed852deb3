import type { Alert } from '@frostbyte/contracts';
import { queryOptions, useQuery } from '@tanstack/react-query';
import { apiGet } from '../../../lib/api-client.ts';

export const alertKeys = { all: ['alerts'] as const, active: () => ['alerts', 'active'] as const };

/** `GET /v1/alerts?state=active`: open and acknowledged alerts (live frames add to them). */
export const getActiveAlerts = (signal?: AbortSignal) => apiGet<{ alerts: Alert[] }>('/v1/alerts', { state: 'active', limit: 100 }, signal);

export const activeAlertsQueryOptions = () =>
  queryOptions({
    queryKey: alertKeys.active(),
    queryFn: ({ signal }) => getActiveAlerts(signal),
    // Frames keep it live; the poll catches anything the stream could not carry (a reconnect gap).
    refetchInterval: 30_000,
  });

export const useActiveAlerts = (enabled: boolean) => useQuery({ ...activeAlertsQueryOptions(), enabled });
