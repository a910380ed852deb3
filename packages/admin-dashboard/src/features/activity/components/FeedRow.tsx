// biome-ignore-all lint/a11y/useSemanticElements: a virtualised ARIA grid: rows are absolutely positioned divs (table elements lose their semantics when restyled like this in some browsers); axe checks the result in the E2E
// biome-ignore-all lint/a11y/useFocusableInteractive: focus is on rows (roving tabindex, one row in the tab order), not on each cell
import type { ModelEvent } from '@frostbyte/contracts';
import { memo } from 'react';
import { StatusBadge } from '../../../components/StatusBadge.tsx';
import { formatCost, formatMs, formatTime, formatTokens } from '../../../lib/format.ts';

export const FEED_COLUMNS = ['Time', 'Tenant', 'Stage', 'Model', 'Operation', 'Status', 'Duration', 'Tokens', 'Cost', 'Document'];

interface Props {
  event: ModelEvent;
  index: number;
  top: number;
  active: boolean;
  onOpen: (event: ModelEvent) => void;
  onFocusRow: (index: number) => void;
}

/** One feed row: a grid row that opens the event's trace on click or Enter. */
export const FeedRow = memo(function FeedRow({ event: e, index, top, active, onOpen, onFocusRow }: Props) {
  return (
    <div
      role="row"
      aria-rowindex={index + 2}
      data-index={index}
      data-event-id={e.id}
      tabIndex={active ? 0 : -1}
      className={`feed-row status-${e.status}`}
      style={{ transform: `translateY(${top}px)` }}
      onClick={() => onOpen(e)}
      onFocus={() => onFocusRow(index)}
      onKeyDown={(k) => {
        if (k.key === 'Enter' || k.key === ' ') {
          k.preventDefault();
          onOpen(e);
        }
      }}
    >
      <span role="gridcell">
        <time dateTime={e.timestamp}>{formatTime(e.timestamp)}</time>
      </span>
      <span role="gridcell">{e.tenant_id}</span>
      <span role="gridcell">{e.stage}</span>
      <span role="gridcell" className="mono">
        {e.model_name}@{e.model_version}
      </span>
      <span role="gridcell">{e.operation}</span>
      <span role="gridcell">
        <StatusBadge status={e.status} />
      </span>
      <span role="gridcell" className="num">
        {formatMs(e.duration_ms)}
      </span>
      <span role="gridcell" className="num">
        {formatTokens(e.input_tokens, e.output_tokens)}
      </span>
      <span role="gridcell" className="num">
        {formatCost(e.cost_usd)}
      </span>
      <span role="gridcell" className="mono ellipsis" title={e.document_id ?? undefined}>
        {e.document_id ?? '—'}
      </span>
    </div>
  );
});
