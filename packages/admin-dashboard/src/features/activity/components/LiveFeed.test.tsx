import type { ModelEvent } from '@frostbyte/contracts';
import { QueryClient } from '@tanstack/react-query';
import { act, fireEvent, render, screen, waitFor } from '@testing-library/react';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { Providers } from '../../../app/providers.tsx';
import { SseClient } from '../../../lib/sse-client.ts';
import { FakeEventSource, makeEvent, wire } from '../../../test/fixtures.ts';
import { FeedStore, mergeNewestFirst } from '../hooks/feed-store.ts';
import { DEFAULT_WINDOW } from '../hooks/monitor-filters.ts';
import { useLiveFeed } from '../hooks/use-live-feed.ts';
import { FeedToolbar } from './FeedToolbar.tsx';
import { LiveFeed } from './LiveFeed.tsx';

const range = (from: number, to: number, patch: Partial<ModelEvent> = {}) =>
  Array.from({ length: to - from + 1 }, (_, i) => makeEvent(from + i, patch));
const seqs = (rows: readonly ModelEvent[]) => rows.map((e) => e.seq);

describe('FeedStore (pure)', () => {
  it('merges live batches and history newest first, each event once', () => {
    const store = new FeedStore();
    store.receiveLive(range(5, 7));
    store.receiveHistory(range(1, 6)); // overlaps live rows 5 and 6
    store.receiveLive(range(7, 9)); // 7 is a repeat
    expect(seqs(store.getSnapshot().rows)).toEqual(['9-0', '8-0', '7-0', '6-0', '5-0', '4-0', '3-0', '2-0', '1-0']);
    expect(store.getSnapshot().received).toBe(5);
  });

  it('holds live events while paused or scrolled away, and releases them on demand', () => {
    const store = new FeedStore();
    store.receiveLive(range(1, 2));
    store.pause();
    store.receiveLive(range(3, 5));
    expect(store.getSnapshot()).toMatchObject({ held: 3, paused: true });
    expect(store.getSnapshot().rows).toHaveLength(2);
    store.setAtTop(false);
    store.resume(); // still scrolled away: keep holding
    expect(store.getSnapshot().held).toBe(3);
    store.setAtTop(true);
    expect(store.getSnapshot().held).toBe(0);
    expect(seqs(store.getSnapshot().rows)).toEqual(['5-0', '4-0', '3-0', '2-0', '1-0']);
  });

  it('holds live events while a row has keyboard focus', () => {
    const store = new FeedStore();
    store.receiveLive(range(1, 2));
    store.setFocusInside(true);
    store.receiveLive(range(3, 4));
    expect(store.getSnapshot()).toMatchObject({ held: 2, focusInside: true });
    store.release(); // the "N new events" pill
    expect(store.getSnapshot().rows).toHaveLength(4);
    store.receiveLive(range(5, 5));
    store.setFocusInside(false);
    expect(seqs(store.getSnapshot().rows)[0]).toBe('5-0');
  });

  it('drops the oldest rows past the cap', () => {
    const store = new FeedStore(10);
    store.receiveLive(range(1, 12));
    expect(store.getSnapshot().rows).toHaveLength(10);
    expect(store.getSnapshot().rows[9]?.seq).toBe('3-0');
  });

  it('merges interleaved lists in one pass', () => {
    const a = [makeEvent(9), makeEvent(5), makeEvent(1)];
    const b = [makeEvent(8), makeEvent(4)];
    expect(seqs(mergeNewestFirst(a, b))).toEqual(['9-0', '8-0', '5-0', '4-0', '1-0']);
  });
});

function Harness({ onOpen, onSnapshot }: { onOpen: (e: ModelEvent) => void; onSnapshot: () => void }) {
  const { store, snapshot, live, history } = useLiveFeed({ window: DEFAULT_WINDOW, tenant_id: 'tenant-a' });
  onSnapshot();
  return (
    <>
      <FeedToolbar
        snapshot={snapshot}
        store={store}
        live={live}
        loadingOlder={false}
        hasOlder={!!history.hasNextPage}
        onLoadOlder={() => {}}
      />
      <LiveFeed snapshot={snapshot} store={store} onOpen={onOpen} />
    </>
  );
}

describe('live feed in the page', () => {
  const history = range(1, 3);
  let fetchMock: ReturnType<typeof vi.fn>;
  beforeAll(() => {
    // jsdom has no layout: give the scroll box a size so the virtualiser renders rows.
    Object.defineProperty(HTMLElement.prototype, 'offsetHeight', { configurable: true, get: () => 600 });
    Object.defineProperty(HTMLElement.prototype, 'offsetWidth', { configurable: true, get: () => 1200 });
  });
  afterAll(() => {
    Reflect.deleteProperty(HTMLElement.prototype, 'offsetHeight');
    Reflect.deleteProperty(HTMLElement.prototype, 'offsetWidth');
  });
  beforeEach(() => {
    FakeEventSource.instances = [];
    fetchMock = vi.fn(
      async () =>
        new Response(JSON.stringify({ events: [...history].reverse(), next_cursor: null }), {
          headers: { 'content-type': 'application/json' },
        }),
    );
    vi.stubGlobal('fetch', fetchMock);
  });

  function setup() {
    const client = new SseClient({ flushMs: 300, createEventSource: (url) => new FakeEventSource(url) });
    const onOpen = vi.fn();
    let renders = 0;
    const qc = new QueryClient({ defaultOptions: { queries: { retry: false } } });
    render(
      <Providers queryClient={qc} sseClient={client}>
        <Harness onOpen={onOpen} onSnapshot={() => renders++} />
      </Providers>,
    );
    const grid = () => screen.getByRole('grid');
    const rowCount = () => Number(grid().getAttribute('aria-rowcount')) - 1;
    return { client, onOpen, grid, rowCount, renders: () => renders };
  }

  it('shows history, then renders a burst of live events as one batch', async () => {
    const { rowCount, renders } = setup();
    await waitFor(() => expect(rowCount()).toBe(3));
    expect(fetchMock.mock.calls[0]?.[0]).toBe('/v1/events?tenant_id=tenant-a&limit=200');
    const es = FakeEventSource.latest();
    expect(es.url).toContain('tenant_id=tenant-a');
    act(() => es.open());

    const before = renders();
    act(() => {
      es.send(wire(range(4, 103)));
    });
    expect(rowCount()).toBe(3); // buffered, not rendered per frame
    await waitFor(() => expect(rowCount()).toBe(103));
    expect(renders() - before).toBeLessThanOrEqual(3); // one batch (plus React's own bookkeeping), not 100
    const first = screen.getAllByRole('row')[1] as HTMLElement;
    expect(first.getAttribute('data-event-id')).toBe(makeEvent(103).id);
  });

  it('pauses and resumes, and opens a trace with Enter or a click', async () => {
    const { rowCount, onOpen } = setup();
    await waitFor(() => expect(rowCount()).toBe(3));
    const es = FakeEventSource.latest();
    act(() => es.open());
    fireEvent.click(screen.getByRole('button', { name: '❚❚ Pause' }));
    act(() => {
      es.send(wire(range(4, 8)));
    });
    await waitFor(() => expect(screen.getByText(/5 new while paused/)).toBeTruthy());
    expect(rowCount()).toBe(3);
    fireEvent.click(screen.getByRole('button', { name: '▶ Resume' }));
    expect(rowCount()).toBe(8);

    const rows = screen.getAllByRole('row');
    fireEvent.keyDown(rows[1] as HTMLElement, { key: 'Enter' });
    expect(onOpen).toHaveBeenLastCalledWith(expect.objectContaining({ seq: '8-0' }));
    fireEvent.click(rows[2] as HTMLElement);
    expect(onOpen).toHaveBeenLastCalledWith(expect.objectContaining({ seq: '7-0' }));
  });

  it('offers "N new events" instead of jumping when scrolled away from the top', async () => {
    const { rowCount } = setup();
    await waitFor(() => expect(rowCount()).toBe(3));
    const es = FakeEventSource.latest();
    act(() => es.open());
    const scroller = screen.getByTestId('feed-scroll');
    scroller.scrollTop = 400;
    fireEvent.scroll(scroller);
    act(() => {
      es.send(wire(range(4, 9)));
    });
    const pill = await screen.findByRole('button', { name: '↑ 6 new events' });
    expect(rowCount()).toBe(3);
    fireEvent.click(pill);
    expect(rowCount()).toBe(9);
    expect(screen.queryByRole('button', { name: /new events/ })).toBeNull();
  });

  it('does not duplicate events the stream repeats after history', async () => {
    const { rowCount } = setup();
    await waitFor(() => expect(rowCount()).toBe(3));
    const es = FakeEventSource.latest();
    act(() => es.open());
    act(() => {
      es.send(wire(range(2, 5))); // 2 and 3 were already in history
    });
    await waitFor(() => expect(rowCount()).toBe(5));
    const ids = screen
      .getAllByRole('row')
      .slice(1)
      .map((r) => r.getAttribute('data-event-id'));
    expect(new Set(ids).size).toBe(ids.length);
  });
});
