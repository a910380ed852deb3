import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { type ReactNode, useState } from 'react';
import { ApiError } from '../lib/api-client.ts';
import { LiveStreamProvider } from '../lib/live-stream.tsx';
import { SseClient } from '../lib/sse-client.ts';

export function createQueryClient(): QueryClient {
  return new QueryClient({
    defaultOptions: {
      queries: {
        // 4xx will not fix itself by asking again; network errors and 5xx might.
        retry: (count, err) => !(err instanceof ApiError && err.status >= 400 && err.status < 500) && count < 2,
        refetchOnWindowFocus: false,
      },
    },
  });
}

/** Everything the views share: the query cache and the one live stream per tab.
 * Theme and session are plain modules (`lib/theme.ts`, `lib/session-token.ts`). */
export function Providers({ children, queryClient, sseClient }: { children: ReactNode; queryClient?: QueryClient; sseClient?: SseClient }) {
  const [qc] = useState(() => queryClient ?? createQueryClient());
  const [sse] = useState(() => sseClient ?? new SseClient());
  return (
    <QueryClientProvider client={qc}>
      <LiveStreamProvider client={sse}>{children}</LiveStreamProvider>
    </QueryClientProvider>
  );
}
