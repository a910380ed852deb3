import { Handle, type NodeProps, Position } from '@xyflow/react';
import { StatusBadge } from '../../../components/StatusBadge.tsx';
import { Link } from '../../../lib/router.tsx';
import type { StageNode as StageNodeType } from '../utils/schematic.ts';

/**
 * One stage of the schematic: name, model identity, status (glyph + word), in
 * flight, throughput, p95 against its baseline, bottleneck and alerts in words.
 * The whole card is a link to the monitor filtered to the stage, so click, Tab and
 * Enter all work (the node itself is not focusable: no nested interactive roles).
 */
export function StageNode({ data: d }: NodeProps<StageNodeType>) {
  const hot = d.bottleneck?.anomalous ? 'stage-bottleneck' : d.bottleneck ? 'stage-slowest' : '';
  return (
    <div
      className={`stage-node stage-${d.status} ${hot} ${d.alerts.length ? 'stage-alerting' : ''}`}
      data-stage={d.stage}
      data-status={d.status}
    >
      <Handle type="target" position={Position.Left} isConnectable={false} />
      <Link
        href={d.href}
        className="stage-link nodrag nopan"
        aria-label={`${d.stage}: ${d.status}${d.bottleneck?.anomalous ? ', bottleneck' : ''}. Open in the monitor`}
      >
        <span className="stage-name">{d.stage}</span>
      </Link>
      <StatusBadge status={d.status} />
      <ul className="stage-models" aria-label={`Models of ${d.stage}`}>
        {d.models.length ? d.models.map((m) => <li key={m}>{m}</li>) : <li className="muted">no model</li>}
      </ul>
      <dl className="stage-facts">
        <div>
          <dt>In flight</dt>
          <dd>{d.inFlight}</dd>
        </div>
        <div>
          <dt>Throughput</dt>
          <dd>{d.throughput}</dd>
        </div>
        <div>
          <dt>p95</dt>
          <dd>
            {d.p95} <span className="muted">(usual {d.baseline})</span>
          </dd>
        </div>
      </dl>
      {d.bottleneck && (
        <p className="stage-bottleneck-text">
          <span aria-hidden="true">{d.bottleneck.anomalous ? '⚠ ' : '◆ '}</span>
          <strong>{d.bottleneck.anomalous ? 'Bottleneck' : 'Slowest stage'}:</strong> {d.bottleneck.reason}
        </p>
      )}
      {d.alerts.length > 0 && (
        <ul className="stage-alerts" aria-label={`Alerts on ${d.stage}`}>
          {d.alerts.slice(0, 2).map((a) => (
            <li key={a.id} data-alert-id={a.id}>
              <span aria-hidden="true">! </span>
              {a.severity}: {a.message}
            </li>
          ))}
          {d.alerts.length > 2 && <li>and {d.alerts.length - 2} more</li>}
        </ul>
      )}
      <Handle type="source" position={Position.Right} isConnectable={false} />
    </div>
  );
}
