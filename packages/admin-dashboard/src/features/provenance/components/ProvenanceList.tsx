import { type KeyboardEvent, useRef, useState } from 'react';
import { formatAgo, formatDateTime } from '../../../lib/format.ts';
import { groupByDay, type TimelineEntry, versionText } from '../utils/provenance-timeline.ts';

/**
 * The model's history, newest first, one entry per change: what, which version, for
 * whom, who and why, when. A single tab stop (roving tabindex): ↑/↓ move between
 * entries, Home/End jump to the newest/oldest, so a long history is one Tab away from
 * the rest of the page.
 */
export function ProvenanceList({ entries }: { entries: readonly TimelineEntry[] }) {
  const [active, setActive] = useState(0);
  const list = useRef<HTMLOListElement>(null);
  const current = Math.min(active, Math.max(0, entries.length - 1));

  const move = (e: KeyboardEvent<HTMLOListElement>) => {
    const last = entries.length - 1;
    const next = { ArrowDown: current + 1, ArrowUp: current - 1, Home: 0, End: last, PageDown: current + 5, PageUp: current - 5 }[e.key];
    if (next === undefined) return;
    e.preventDefault();
    const i = Math.max(0, Math.min(last, next));
    setActive(i);
    list.current?.querySelector<HTMLElement>(`[data-index="${i}"]`)?.focus();
  };

  if (!entries.length) return <p className="muted">Nothing recorded for this model yet.</p>;
  let index = 0;
  return (
    <ol ref={list} className="provenance" aria-label="Provenance timeline, newest first" onKeyDown={move}>
      {groupByDay(entries).map((day) => (
        <li key={day.day} className="provenance-day">
          <h3 className="provenance-day-title">{day.day}</h3>
          <ol aria-label={day.day}>
            {day.entries.map((e) => {
              const i = index++;
              return (
                <li
                  key={e.id}
                  data-index={i}
                  data-kind={e.kind}
                  data-version={e.version ?? ''}
                  tabIndex={i === current ? 0 : -1}
                  onFocus={() => setActive(i)}
                  className={`provenance-item kind-${e.kind}`}
                >
                  <span className="provenance-glyph" aria-hidden="true">
                    {e.glyph}
                  </span>
                  <div className="provenance-body">
                    <div>
                      <strong>{e.label}</strong> {versionText(e) && <span className="mono">{versionText(e)}</span>}{' '}
                      <span className="muted">· {e.scope}</span>
                    </div>
                    <div className="provenance-summary">{e.summary}</div>
                    <div className="muted">
                      by <span className="mono">{e.actor}</span> · <time dateTime={e.at}>{formatDateTime(e.at)}</time> ({formatAgo(e.at)})
                    </div>
                    {e.reason && <div className="provenance-reason">“{e.reason}”</div>}
                  </div>
                </li>
              );
            })}
          </ol>
        </li>
      ))}
    </ol>
  );
}
