import type { Alert, PipelineStageStatus, PipelineStatus } from '@frostbyte/contracts';
import { describe, expect, it } from 'vitest';
import { edgeMotion, monitorHref, schematicViewport, stageEdges, stageNodes } from './schematic.ts';

const stage = (name: string, over: Partial<PipelineStageStatus> = {}): PipelineStageStatus => ({
  stage: name,
  models: [],
  status: 'idle',
  in_flight: 0,
  calls: 0,
  errors: 0,
  error_rate: 0,
  throughput_per_s: 0,
  p50_ms: null,
  p95_ms: null,
  baseline_p95_ms: null,
  latency_share: null,
  last_seen: null,
  bottleneck: false,
  open_alerts: 0,
  ...over,
});

const alert = (over: Partial<Alert>): Alert => ({
  id: 'a1',
  tenant_id: null,
  rule: 'bottleneck',
  severity: 'warning',
  stage: 'parse',
  model_name: null,
  message: 'parse p95 2.1 s is 20× its 1 h baseline 100 ms',
  state: 'open',
  opened_at: '2026-03-01T10:00:00.000Z',
  updated_at: '2026-03-01T10:00:00.000Z',
  details: {},
  ...over,
});

const status = (over: Partial<PipelineStatus> = {}): PipelineStatus => ({
  generated_at: '2026-03-01T10:00:00.000Z',
  window_s: 60,
  baseline_s: 3600,
  // Out of order on purpose, with an unknown stage.
  stages: [
    stage('policy', { models: [{ model_name: 'frostbyte-policy', version: '1.0.0', label: 'policy 1.0', source: 'registry' }] }),
    stage('rerank'),
    stage('parse', {
      models: [
        { model_name: 'frostbyte-docparse', version: '1.0.0', label: 'docparse 1.0', source: 'observed' },
        { model_name: 'frostbyte-docparse', version: '1.1.0', label: 'docparse 1.1', source: 'registry' },
      ],
      status: 'processing',
      in_flight: 12,
      throughput_per_s: 2.5,
      p95_ms: 2100,
      baseline_p95_ms: 100,
      bottleneck: true,
    }),
    stage('ingest'),
    stage('embed', { status: 'error' }),
    stage('output'),
  ],
  edges: [
    { from: 'ingest', to: 'parse', flow_per_s: 4 },
    { from: 'parse', to: 'embed', flow_per_s: 1 },
    { from: 'embed', to: 'policy', flow_per_s: 0 },
  ],
  bottleneck: {
    stage: 'parse',
    reasons: ['parse p95 2.10 s is 21× its 1 h baseline 100 ms'],
    reason: 'parse p95 2.10 s is 21× its 1 h baseline 100 ms',
    anomalous: true,
    latency_share: 0.9,
    p95_ms: 2100,
    baseline_p95_ms: 100,
    in_flight: 12,
  },
  alerts: [],
  ...over,
});

describe('stageNodes (GET /v1/pipeline → schematic nodes)', () => {
  it('lays the stages out in pipeline order, unknown stages last, left to right', () => {
    const nodes = stageNodes(status(), []);
    expect(nodes.map((n) => n.id)).toEqual(['ingest', 'parse', 'embed', 'policy', 'output', 'rerank']);
    const xs = nodes.map((n) => n.position.x);
    expect([...xs].sort((a, b) => a - b)).toEqual(xs);
    expect(new Set(nodes.map((n) => n.position.y))).toEqual(new Set([0]));
  });

  it('carries model identity, status, in flight, throughput, p95 vs baseline and the bottleneck reason', () => {
    const parse = stageNodes(status(), [])[1];
    expect(parse?.data).toMatchObject({
      stage: 'parse',
      models: ['docparse 1.1', 'docparse 1.0 (recent events)'],
      status: 'processing',
      inFlight: 12,
      throughput: '2.5/s',
      p95: '2.10 s',
      baseline: '100 ms',
      bottleneck: { reason: 'parse p95 2.10 s is 21× its 1 h baseline 100 ms', anomalous: true },
    });
    expect(stageNodes(status(), [])[2]?.data).toMatchObject({ status: 'error', bottleneck: null });
  });

  it('puts each alert on its stage and links each stage to the monitor filtered to it', () => {
    const nodes = stageNodes(status(), [alert({}), alert({ id: 'a2', stage: 'embed' }), alert({ id: 'a3', stage: null })], 'acme');
    expect(nodes.find((n) => n.id === 'parse')?.data.alerts.map((a) => a.id)).toEqual(['a1']);
    expect(nodes.find((n) => n.id === 'embed')?.data.alerts.map((a) => a.id)).toEqual(['a2']);
    expect(nodes.find((n) => n.id === 'parse')?.data.href).toBe('/activity?stage=parse&tenant_id=acme');
    expect(monitorHref('embed')).toBe('/activity?stage=embed');
  });
});

describe('edge animation in proportion to the flow', () => {
  it('does not animate an edge without flow', () => {
    expect(edgeMotion(0, 5)).toEqual({ animated: false, strokeWidth: 1.5, durationS: null });
    expect(edgeMotion(3, 0).animated).toBe(false);
  });
  it('runs the busiest edge fastest and widest, slower and thinner with less flow, within bounds', () => {
    const busiest = edgeMotion(4, 4);
    const quarter = edgeMotion(1, 4);
    const trickle = edgeMotion(0.001, 4);
    expect(busiest).toEqual({ animated: true, strokeWidth: 6, durationS: 0.4 });
    expect(quarter).toEqual({ animated: true, strokeWidth: 3.8, durationS: 1.6 });
    expect(trickle.durationS).toBe(4);
    expect(trickle.strokeWidth).toBeGreaterThanOrEqual(1.5);
  });
  it('maps /v1/pipeline edges with their rate as the label', () => {
    const edges = stageEdges(status());
    expect(edges.map((e) => [e.id, e.animated, e.label])).toEqual([
      ['ingest->parse', true, '4.0/s'],
      ['parse->embed', true, '1.0/s'],
      ['embed->policy', false, '0/s'],
    ]);
    expect(edges[0]?.style).toEqual({ strokeWidth: 6, animationDuration: '0.4s' });
  });
});

describe('schematicViewport', () => {
  it('keeps the row at full size when it fits, centred, top-aligned', () => {
    expect(schematicViewport(1400, 5)).toEqual({ x: 112, y: 16, zoom: 1 });
  });
  it('scales the row down to the container, not below 40 %', () => {
    expect(schematicViewport(620, 5).zoom).toBe(0.5);
    expect(schematicViewport(100, 5).zoom).toBe(0.4);
  });
});
