import { useMutation, useQueryClient } from '@tanstack/react-query';
import { apiDownload } from '../../../lib/api-client.ts';
import { auditKeys } from './audit-keys.ts';

/** `GET /v1/audit/bundle?tenant_id=…`: the tenant's offline audit bundle, saved as the
 * file the server names (`audit-bundle-<tenant>-<day>.json`). The export is itself an
 * audit entry (`audit.export`), so the log is refreshed afterwards. */
export async function downloadBundle(tenant: string): Promise<string> {
  const { blob, filename } = await apiDownload('/v1/audit/bundle', { tenant_id: tenant });
  const name = filename ?? `audit-bundle-${tenant}.json`;
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
  return name;
}

export function useDownloadBundle() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: downloadBundle,
    onSuccess: () => qc.invalidateQueries({ queryKey: auditKeys.logs() }),
  });
}
