import { useMutation } from '@tanstack/react-query';
import { apiPost } from '../../../lib/api-client.ts';
import { setToken } from '../../../lib/session-token.ts';

export interface ExchangeResult {
  token: string;
  expires_at: string;
}

/** `POST /v1/auth/exchange`: trades the one-time code from the server's login URL for a token. */
export const exchangeCode = (code: string): Promise<ExchangeResult> => apiPost<ExchangeResult>('/v1/auth/exchange', { code });

export const useExchangeCode = () =>
  useMutation({
    mutationFn: exchangeCode,
    onSuccess: (r) => setToken(r.token),
  });
