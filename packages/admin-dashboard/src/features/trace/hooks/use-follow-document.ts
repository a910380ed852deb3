import type { ModelEvent, WsClientMessage, WsServerMessage } from '@frostbyte/contracts';
import { useQueryClient } from '@tanstack/react-query';
import { useEffect, useRef, useState } from 'react';
import { withAccessToken } from '../../../lib/api-client.ts';
import { documentEventsQueryKey } from '../api/get-document-events.ts';

export type FollowStatus = 'off' | 'connecting' | 'following' | 'reconnecting' | 'error';

/**
 * A WebSocket tracer session (`/v1/tracer/ws`): follows one document and collects
 * its new events as they happen. Reconnects with backoff and re-sends `follow`;
 * events already shown (same id) are not repeated. Each event also refreshes the
 * document's journey.
 */
export function useFollowDocument(documentId: string | null | undefined, enabled: boolean) {
  const [status, setStatus] = useState<FollowStatus>('off');
  const [events, setEvents] = useState<ModelEvent[]>([]);
  const [error, setError] = useState<string | null>(null);
  const queryClient = useQueryClient();
  const seen = useRef(new Set<string>());

  useEffect(() => {
    if (!enabled || !documentId) {
      setStatus('off');
      return;
    }
    let ws: WebSocket | null = null;
    let closed = false;
    let attempt = 0;
    let timer: ReturnType<typeof setTimeout> | null = null;

    const connect = () => {
      setStatus(attempt === 0 ? 'connecting' : 'reconnecting');
      const proto = window.location.protocol === 'https:' ? 'wss:' : 'ws:';
      ws = new WebSocket(`${proto}//${window.location.host}${withAccessToken('/v1/tracer/ws', {})}`);
      ws.onopen = () => {
        attempt = 0;
        const msg: WsClientMessage = { type: 'follow', document_id: documentId };
        ws?.send(JSON.stringify(msg));
      };
      ws.onmessage = (ev) => {
        let msg: WsServerMessage;
        try {
          msg = JSON.parse(String(ev.data)) as WsServerMessage;
        } catch {
          return;
        }
        if (msg.type === 'following') {
          setStatus('following');
          setError(null);
        } else if (msg.type === 'error') {
          setError(msg.message);
        } else if (msg.type === 'event') {
          if (seen.current.has(msg.event.id)) return;
          seen.current.add(msg.event.id);
          setEvents((prev) => [msg.event, ...prev].slice(0, 200));
          void queryClient.invalidateQueries({ queryKey: documentEventsQueryKey(documentId) });
        }
      };
      ws.onclose = (ev) => {
        if (closed) return;
        if (ev.code === 1008 || ev.code === 4401 || ev.code === 4403) {
          setStatus('error');
          setError(ev.reason || 'The server refused the tracer session (not allowed).');
          return;
        }
        const delay = Math.min(30_000, 1000 * 2 ** attempt++);
        setStatus('reconnecting');
        timer = setTimeout(connect, delay);
      };
    };
    connect();
    return () => {
      closed = true;
      if (timer) clearTimeout(timer);
      ws?.close(1000, 'unfollow');
    };
  }, [documentId, enabled, queryClient]);

  return { status, events, error };
}
