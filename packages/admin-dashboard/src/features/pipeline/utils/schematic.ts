import type { Alert, Bottleneck, PipelineStageStatus, PipelineStatus } from '@frostbyte/contracts';
import type { Edge, Node } from '@xyflow/react';

/**
 * `GET /v1/pipeline` → the nodes and edges of the schematic. Pure, so it is tested
 * without a canvas: node order and positions, the model identity, the status word,
 * the bottleneck and its reason, alerts per stage, and edge animation scaled to flow.
 */

/** `PIPELINE_STAGES` of contracts/event.ts (copied: the bundle imports contract types only). */
export const STAGE_ORDER = ['ingest', 'parse', 'embed', 'policy', 'output'] as const;

export const NODE_WIDTH = 200;
const GAP_X = 44;
const MARGIN = 16;

/**
 * The viewport: nodes top-aligned (they grow downwards when alerts arrive, which a
 * one-off fitView would not follow) and scaled down only when the row is wider than
 * the container.
 */
export function schematicViewport(containerWidth: number, stages: number): { x: number; y: number; zoom: number } {
  const row = stages * (NODE_WIDTH + GAP_X) - GAP_X;
  const zoom = containerWidth > 0 ? Math.min(1, Math.max(0.4, (containerWidth - 2 * MARGIN) / row)) : 1;
  const x = Math.max(MARGIN, (containerWidth - row * zoom) / 2);
  return { x: Math.round(x), y: MARGIN, zoom: Math.round(zoom * 1000) / 1000 };
}

export interface StageNodeData extends Record<string, unknown> {
  stage: string;
  /** e.g. "docparse 1.0.0" — several when a stage runs more than one model (or an A/B split). */
  models: string[];
  status: PipelineStageStatus['status'];
  inFlight: number;
  throughput: string;
  p95: string;
  baseline: string;
  /** Set on the bottleneck stage: the reason in words, and whether it is an anomaly or just the slowest stage. */
  bottleneck: { reason: string; anomalous: boolean } | null;
  alerts: Alert[];
  href: string;
}

export type StageNode = Node<StageNodeData, 'stage'>;

const fmtMs = (v: number | null) => (v === null ? '—' : v < 1000 ? `${Math.round(v)} ms` : `${(v / 1000).toFixed(2)} s`);
export const fmtRate = (v: number) => (v === 0 ? '0/s' : v < 0.1 ? `${(v * 60).toFixed(1)}/min` : `${v.toFixed(v < 10 ? 1 : 0)}/s`);

/** Known stages in pipeline order, then any other stage the server reports. */
export function orderStages(stages: readonly PipelineStageStatus[]): PipelineStageStatus[] {
  const known = STAGE_ORDER.map((s) => stages.find((x) => x.stage === s)).filter((s): s is PipelineStageStatus => !!s);
  return [...known, ...stages.filter((s) => !(STAGE_ORDER as readonly string[]).includes(s.stage))];
}

export function monitorHref(stage: string, tenant?: string): string {
  const q = new URLSearchParams({ stage });
  if (tenant) q.set('tenant_id', tenant);
  return `/activity?${q}`;
}

export function stageNodes(status: PipelineStatus, alerts: readonly Alert[], tenant?: string): StageNode[] {
  return orderStages(status.stages).map((s, i) => ({
    id: s.stage,
    type: 'stage',
    position: { x: i * (NODE_WIDTH + GAP_X), y: 0 },
    draggable: false,
    selectable: false,
    focusable: false,
    data: {
      stage: s.stage,
      // What the registry runs first; versions only seen in recent events (before a
      // deploy or rollback took effect) are marked as such.
      models: [
        ...s.models.filter((m) => m.source === 'registry').map((m) => m.label),
        ...s.models.filter((m) => m.source === 'observed').map((m) => `${m.label} (recent events)`),
      ],
      status: s.status,
      inFlight: s.in_flight,
      throughput: fmtRate(s.throughput_per_s),
      p95: fmtMs(s.p95_ms),
      baseline: fmtMs(s.baseline_p95_ms),
      bottleneck: bottleneckOf(s.stage, status.bottleneck),
      alerts: alerts.filter((a) => a.stage === s.stage),
      href: monitorHref(s.stage, tenant),
    },
  }));
}

function bottleneckOf(stage: string, b: Bottleneck | null): StageNodeData['bottleneck'] {
  return b && b.stage === stage ? { reason: b.reason, anomalous: b.anomalous } : null;
}

/**
 * How an edge shows its flow: width grows with the square root of its share of the
 * busiest edge (1.5–6 px), and the dash animation runs faster with more flow
 * (0.4 s per cycle at the busiest edge, slower down to 4 s); no flow, no animation.
 */
export function edgeMotion(flow: number, maxFlow: number): { animated: boolean; strokeWidth: number; durationS: number | null } {
  if (!(flow > 0) || !(maxFlow > 0)) return { animated: false, strokeWidth: 1.5, durationS: null };
  const share = Math.min(1, flow / maxFlow);
  return {
    animated: true,
    strokeWidth: Math.round((1.5 + 4.5 * Math.sqrt(share)) * 10) / 10,
    durationS: Math.round(Math.min(4, 0.4 / share) * 100) / 100,
  };
}

export function stageEdges(status: PipelineStatus): Edge[] {
  const max = Math.max(0, ...status.edges.map((e) => e.flow_per_s));
  return status.edges.map((e) => {
    const m = edgeMotion(e.flow_per_s, max);
    return {
      id: `${e.from}->${e.to}`,
      source: e.from,
      target: e.to,
      animated: m.animated,
      focusable: false,
      label: fmtRate(e.flow_per_s),
      style: { strokeWidth: m.strokeWidth, ...(m.durationS ? { animationDuration: `${m.durationS}s` } : {}) },
      data: { flow: e.flow_per_s },
    };
  });
}
