// biome-ignore-all lint/a11y/useSemanticElements: a virtualised ARIA grid: rows are absolutely positioned divs (table elements lose their semantics when restyled like this in some browsers); axe checks the result in the E2E
// biome-ignore-all lint/a11y/useFocusableInteractive: focus is on rows (roving tabindex, one row in the tab order), not on each cell
import type { ModelEvent } from '@frostbyte/contracts';
import { useVirtualizer } from '@tanstack/react-virtual';
import { type KeyboardEvent, useCallback, useEffect, useRef, useState } from 'react';
import type { FeedSnapshot, FeedStore } from '../hooks/feed-store.ts';
import { FEED_COLUMNS, FeedRow } from './FeedRow.tsx';

export const ROW_HEIGHT = 36;
const TOP_SLACK_PX = 8;

interface Props {
  snapshot: FeedSnapshot;
  store: FeedStore;
  onOpen: (event: ModelEvent) => void;
  /** Called near the end of the list so older history pages load as the user scrolls. */
  onNearEnd?: () => void;
  /** For tests (jsdom has no layout). */
  initialHeight?: number;
}

/**
 * The live feed: a virtualised grid (only the visible rows are in the DOM, so 100k
 * rows scroll as smoothly as 100). Keyboard: one row is in the tab order; arrows,
 * Page Up/Down, Home/End move; Enter opens the trace. Scrolling away from the top or
 * focusing a row holds new events back (see FeedStore) so the rows being read never
 * jump; the pill brings them in.
 */
export function LiveFeed({ snapshot, store, onOpen, onNearEnd, initialHeight = 600 }: Props) {
  const { rows } = snapshot;
  const scrollRef = useRef<HTMLDivElement>(null);
  const [active, setActive] = useState(0);
  const focusPending = useRef(false);

  const virtualizer = useVirtualizer({
    count: rows.length,
    getScrollElement: () => scrollRef.current,
    estimateSize: () => ROW_HEIGHT,
    overscan: 12,
    initialRect: { width: 1200, height: initialHeight },
    getItemKey: (i) => rows[i]?.id ?? i,
  });
  const items = virtualizer.getVirtualItems();

  const last = items[items.length - 1];
  useEffect(() => {
    if (last && last.index >= rows.length - 25) onNearEnd?.();
  }, [last, rows.length, onNearEnd]);

  // Rows were added above the active one: keep pointing at the same event.
  const activeId = useRef<string | null>(null);
  useEffect(() => {
    if (!activeId.current) return;
    const i = rows.findIndex((r) => r.id === activeId.current);
    if (i >= 0 && i !== active) setActive(i);
  }, [rows, active]);

  useEffect(() => {
    if (!focusPending.current) return;
    const el = scrollRef.current?.querySelector<HTMLElement>(`[data-index="${active}"]`);
    if (el) {
      el.focus({ preventScroll: true });
      focusPending.current = false;
    }
  });

  const moveTo = (i: number) => {
    if (rows.length === 0) return;
    const next = Math.max(0, Math.min(rows.length - 1, i));
    activeId.current = rows[next]?.id ?? null;
    setActive(next);
    focusPending.current = true;
    virtualizer.scrollToIndex(next, { align: 'auto' });
  };

  const onKeyDown = (e: KeyboardEvent<HTMLDivElement>) => {
    const page = Math.max(1, Math.floor((scrollRef.current?.clientHeight ?? 360) / ROW_HEIGHT) - 1);
    const moves: Record<string, number> = {
      ArrowDown: active + 1,
      ArrowUp: active - 1,
      PageDown: active + page,
      PageUp: active - page,
      Home: 0,
      End: rows.length - 1,
    };
    const target = moves[e.key];
    if (target === undefined) return;
    e.preventDefault();
    moveTo(target);
  };

  const onScroll = () => {
    const el = scrollRef.current;
    if (el) store.setAtTop(el.scrollTop <= TOP_SLACK_PX);
  };

  const onFocusRow = useCallback(
    (i: number) => {
      activeId.current = rows[i]?.id ?? null;
      setActive(i);
    },
    [rows],
  );

  const showPill = snapshot.held > 0 && !snapshot.paused;
  const activeIndex = Math.min(active, Math.max(0, rows.length - 1));

  return (
    <div className="feed">
      {showPill && (
        <button
          type="button"
          className="new-events-pill"
          onClick={() => {
            if (scrollRef.current) scrollRef.current.scrollTop = 0;
            store.setAtTop(true);
            store.release();
            moveTo(0);
          }}
        >
          ↑ {snapshot.held.toLocaleString()} new event{snapshot.held === 1 ? '' : 's'}
        </button>
      )}
      <div
        role="grid"
        aria-label="Live model events, newest first"
        aria-rowcount={rows.length + 1}
        aria-colcount={FEED_COLUMNS.length}
        className="feed-grid"
        onKeyDown={onKeyDown}
        onFocus={() => store.setFocusInside(true)}
        onBlur={(e) => {
          if (!e.currentTarget.contains(e.relatedTarget as Node | null)) store.setFocusInside(false);
        }}
      >
        <div role="rowgroup" className="feed-head">
          <div role="row" aria-rowindex={1} className="feed-row feed-header-row">
            {FEED_COLUMNS.map((c) => (
              <span role="columnheader" key={c}>
                {c}
              </span>
            ))}
          </div>
        </div>
        <div ref={scrollRef} className="feed-scroll" onScroll={onScroll} data-testid="feed-scroll">
          {rows.length === 0 ? (
            <p className="feed-empty">No events for these filters yet. New ones appear here as they happen.</p>
          ) : (
            <div role="rowgroup" className="feed-body" style={{ height: virtualizer.getTotalSize() }}>
              {items.map((item) => {
                const event = rows[item.index];
                if (!event) return null;
                return (
                  <FeedRow
                    key={event.id}
                    event={event}
                    index={item.index}
                    top={item.start}
                    active={item.index === activeIndex}
                    onOpen={onOpen}
                    onFocusRow={onFocusRow}
                  />
                );
              })}
            </div>
          )}
        </div>
      </div>
    </div>
  );
}
