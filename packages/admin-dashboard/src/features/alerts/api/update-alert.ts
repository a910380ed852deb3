import type { Alert } from '@frostbyte/contracts';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { apiPost } from '../../../lib/api-client.ts';
import { alertKeys } from './get-alerts.ts';

/** Acknowledge (someone is on it) or resolve an alert; the optional note is kept in the audit log. */
export interface UpdateAlertInput {
  id: string;
  action: 'ack' | 'resolve';
  note?: string;
}

/** `POST /v1/alerts/{id}/ack` or `/resolve`. */
export const updateAlert = ({ id, action, note }: UpdateAlertInput) =>
  apiPost<Alert>(`/v1/alerts/${encodeURIComponent(id)}/${action}`, note?.trim() ? { note: note.trim().slice(0, 2000) } : {});

export function useUpdateAlert(onUpdated: (alert: Alert) => void) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: updateAlert,
    onSuccess: (alert) => {
      onUpdated(alert);
      return qc.invalidateQueries({ queryKey: alertKeys.all });
    },
  });
}
