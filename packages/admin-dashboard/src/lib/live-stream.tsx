import { createContext, type ReactNode, useContext, useSyncExternalStore } from 'react';
import type { ConnectionState, SseClient } from './sse-client.ts';

/** One live stream per tab, created by the app and shared: the shell shows its
 * connection state and alerts, the monitor sets its filters and renders its events. */
const LiveStreamContext = createContext<SseClient | null>(null);

export function LiveStreamProvider({ client, children }: { client: SseClient; children: ReactNode }) {
  return <LiveStreamContext.Provider value={client}>{children}</LiveStreamContext.Provider>;
}

export function useLiveStream(): SseClient {
  const client = useContext(LiveStreamContext);
  if (!client) throw new Error('useLiveStream needs a <LiveStreamProvider> (the app shell mounts one)');
  return client;
}

export function useConnectionState(): ConnectionState {
  const client = useLiveStream();
  return useSyncExternalStore(client.subscribeState, client.getState);
}
