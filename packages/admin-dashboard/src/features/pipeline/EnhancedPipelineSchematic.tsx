import type { Alert } from '@frostbyte/contracts';
import { useQueryClient } from '@tanstack/react-query';
import { Background, type NodeTypes, ReactFlow } from '@xyflow/react';
import '@xyflow/react/dist/style.css';
import { type ReactNode, useEffect, useMemo, useRef, useState } from 'react';
import { ErrorBanner } from '../../components/ErrorBanner.tsx';
import { latestAlerts, mergeAlerts } from '../../lib/alerts.ts';
import { formatAgo } from '../../lib/format.ts';
import { useLiveStream } from '../../lib/live-stream.tsx';
import { navigate, useLocation } from '../../lib/router.tsx';
import { pipelineKeys, usePipelineStatus } from './api/get-pipeline-status.ts';
import { BottleneckNotice } from './components/BottleneckNotice.tsx';
import { StageNode } from './components/StageNode.tsx';
import { StageTable } from './components/StageTable.tsx';
import { schematicViewport, stageEdges, stageNodes } from './utils/schematic.ts';
import './pipeline.css';

const NODE_TYPES: NodeTypes = { stage: StageNode };

/**
 * The pipeline as a DAG (ingest → parse → embed → policy → output): per stage its
 * model, status, in flight, throughput and p95; edges move with the flow; the
 * bottleneck and alerts in words. `GET /v1/pipeline` every ~2 s, and `alert` frames
 * of the live stream at once (they also trigger a refresh). A stage opens the
 * monitor filtered to it. `rules` (the alert rules panel, composed by `app/`) goes
 * beneath the stage table.
 */
export function EnhancedPipelineSchematic({ rules }: { rules?: ReactNode }) {
  const { search } = useLocation();
  const tenant = new URLSearchParams(search).get('tenant_id') ?? undefined;
  const q = usePipelineStatus(tenant);
  const qc = useQueryClient();
  const client = useLiveStream();
  const [live, setLive] = useState<Alert[]>([]);

  useEffect(
    () =>
      client.subscribe((b) => {
        if (!b.alerts.length) return;
        setLive((prev) => latestAlerts(prev, b.alerts).slice(-500));
        void qc.invalidateQueries({ queryKey: pipelineKeys.status(tenant) });
      }),
    [client, qc, tenant],
  );

  const status = q.data;
  const alerts = useMemo(() => mergeAlerts(status?.alerts ?? [], live), [status, live]);
  const nodes = useMemo(() => (status ? stageNodes(status, alerts, tenant) : []), [status, alerts, tenant]);
  const edges = useMemo(() => (status ? stageEdges(status) : []), [status]);
  const box = useRef<HTMLElement>(null);
  const [width, setWidth] = useState(0);
  // biome-ignore lint/correctness/useExhaustiveDependencies: the box appears with the first status
  useEffect(() => {
    const el = box.current;
    if (!el) return;
    const ro = new ResizeObserver(() => setWidth(el.clientWidth));
    ro.observe(el);
    setWidth(el.clientWidth);
    return () => ro.disconnect();
  }, [!!status]);
  const viewport = useMemo(() => schematicViewport(width, nodes.length), [width, nodes.length]);

  return (
    <div className="page pipeline-page">
      <h1>Pipeline</h1>
      {q.isError && <ErrorBanner title="Pipeline status could not be refreshed" error={q.error} onRetry={() => void q.refetch()} />}
      {!status && !q.isError && <p role="status">Loading the pipeline…</p>}
      {status && (
        <>
          <p className="muted">
            Live, refreshed every 2 s (last {formatAgo(status.generated_at)}) · window {status.window_s} s ·{' '}
            {tenant
              ? `${alerts.length} active alert${alerts.length === 1 ? '' : 's'} for ${tenant}`
              : `${alerts.length} pipeline-wide alert${alerts.length === 1 ? '' : 's'} (a tenant's own alerts show when you choose it)`}
            . Select a stage to open the monitor filtered to it.
          </p>
          <BottleneckNotice bottleneck={status.bottleneck} tenant={tenant} />
          <section className="schematic" aria-label="Pipeline schematic" ref={box}>
            <ReactFlow
              nodes={nodes}
              edges={edges}
              nodeTypes={NODE_TYPES}
              viewport={viewport}
              onViewportChange={() => {}}
              nodesDraggable={false}
              nodesConnectable={false}
              nodesFocusable={false}
              edgesFocusable={false}
              elementsSelectable={false}
              zoomOnScroll={false}
              preventScrolling={false}
              panOnDrag={false}
              zoomOnDoubleClick={false}
              onNodeClick={(e, n) => {
                // The stage's own link already navigated; a click elsewhere on the card does it here.
                if (!(e.target as Element).closest('a')) navigate((n.data as { href: string }).href);
              }}
              proOptions={{ hideAttribution: true }}
            >
              <Background gap={24} />
            </ReactFlow>
          </section>
          <StageTable status={status} />
          {rules}
        </>
      )}
    </div>
  );
}
