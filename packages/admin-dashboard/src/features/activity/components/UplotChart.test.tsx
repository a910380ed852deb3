import { render } from '@testing-library/react';
import type uPlot from 'uplot';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { alignSeries, METRICS, windowRange } from '../utils/chart-data.ts';
import { UplotChart } from './UplotChart.tsx';

// uPlot draws on canvas, which jsdom lacks: capture the options it is built with.
const built: uPlot.Options[] = [];
vi.mock('uplot', () => ({
  default: class {
    constructor(opts: uPlot.Options) {
      built.push(opts);
    }
    setData() {}
    setSize() {}
    destroy() {}
  },
}));

beforeAll(() => {
  globalThis.ResizeObserver ??= class {
    observe() {}
    disconnect() {}
    unobserve() {}
  } as unknown as typeof ResizeObserver;
});
afterAll(() => vi.restoreAllMocks());

describe('UplotChart x axis', () => {
  // The bug: with one point uPlot auto-ranged the time axis by ±years (labels 2027–2029).
  it('spans the chosen window ending now, even for a single point', () => {
    const now = Date.parse('2026-03-01T10:00:00.000Z');
    const series = [
      {
        key: 'm@1',
        model_name: 'm',
        model_version: '1',
        points: [
          {
            t: '2026-03-01T09:59:30.000Z',
            calls: 3,
            errors: 0,
            p50_ms: 1,
            p95_ms: 2,
            p99_ms: 3,
            input_tokens: 0,
            output_tokens: 0,
            cost_usd: 0,
          },
        ],
      },
    ];
    const data = alignSeries(series, METRICS.throughput, 15);
    const range = windowRange(900, now);
    render(<UplotChart title="Throughput" labels={['m@1']} data={data} format={String} xRange={range} />);
    const opts = built.at(-1);
    const x = opts?.scales?.x?.range as (u: uPlot, min: number, max: number) => [number, number];
    const point = data[0][0] as number;
    expect(x({} as uPlot, point, point)).toEqual([now / 1000 - 900, now / 1000]);
  });

  it('keeps uPlot auto-ranging when no window is given', () => {
    render(<UplotChart title="Cost" labels={[]} data={[[]]} format={String} />);
    const x = built.at(-1)?.scales?.x?.range as (u: uPlot, min: number, max: number) => [number, number];
    expect(x({} as uPlot, 5, 9)).toEqual([5, 9]);
  });
});

describe('windowRange', () => {
  it('is [now − window, now] in whole seconds', () => {
    expect(windowRange(300, 1_000_500)).toEqual([700, 1000]);
  });
});
