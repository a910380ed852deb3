import { useEffect, useRef, useState } from 'react';
import type { FeedSnapshot } from '../hooks/feed-store.ts';

export const ANNOUNCE_EVERY_MS = 15_000;

/**
 * What a screen reader hears about the feed: one polite summary at most every 15 s
 * ("24 new events, 2 failed"), never one announcement per event.
 */
export function FeedAnnouncer({ snapshot, everyMs = ANNOUNCE_EVERY_MS }: { snapshot: FeedSnapshot; everyMs?: number }) {
  const [message, setMessage] = useState('');
  const latest = useRef(snapshot);
  latest.current = snapshot;
  const announced = useRef({ received: snapshot.received, failed: snapshot.receivedFailed });

  useEffect(() => {
    const t = setInterval(() => {
      const s = latest.current;
      // A reset (new filters) starts the counts again.
      if (s.received < announced.current.received) announced.current = { received: 0, failed: 0 };
      const n = s.received - announced.current.received;
      const failed = s.receivedFailed - announced.current.failed;
      announced.current = { received: s.received, failed: s.receivedFailed };
      if (n <= 0) return;
      const paused = s.paused ? ' (feed paused)' : '';
      setMessage(`${n} new event${n === 1 ? '' : 's'}${failed ? `, ${failed} failed` : ''}${paused}.`);
    }, everyMs);
    return () => clearInterval(t);
  }, [everyMs]);

  return (
    <div className="visually-hidden" role="status" aria-live="polite" aria-atomic="true">
      {message}
    </div>
  );
}
