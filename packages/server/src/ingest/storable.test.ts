import { MAX_EVENT_COST_USD, MAX_NESTING_DEPTH, type ModelEventInput } from '@frostbyte/contracts';
import { describe, expect, it } from 'vitest';
import { priceOf } from './pricing.ts';
import { eventField, storageProblem, storageRefusals, unstorableText } from './storable.ts';

const base = (over: Partial<ModelEventInput> = {}): ModelEventInput => ({
  invocation_id: '0190a3b4-0000-7000-8000-000000000001',
  timestamp: new Date().toISOString(),
  stage: 'parse',
  model_name: 'm',
  model_version: '1',
  operation: 'parse',
  status: 'completed',
  ...over,
});

const nested = (depth: number): unknown => {
  let v: unknown = 'leaf';
  for (let i = 0; i < depth; i++) v = { a: v };
  return v;
};

describe('storageProblem', () => {
  it('passes well-formed Unicode: astral characters, combining marks, RTL, ZWJ emoji, U+FFFD', () => {
    const text = '𝔘𝔫𝔦 e\u0301 שלום مرحبا 👩‍👩‍👧‍👦 \ufffd \u200f';
    expect(unstorableText(text)).toBeNull();
    expect(storageProblem(base({ document_id: text, metadata: { [text]: [text, { [text]: text }] }, trace: { input: text } }))).toBeNull();
  });

  it('names the field of a NUL or a lone surrogate in every text field and key, at any depth', () => {
    const cases: [Partial<ModelEventInput>, string][] = [
      [{ metadata: { note: 'a\u0000b' } }, '/metadata/note'],
      [{ metadata: { 'k\u0000': 1 } }, '/metadata/k\\u0000'],
      [{ metadata: { a: [{ b: ['x', '\ud800'] }] } }, '/metadata/a/0/b/1'],
      [{ metadata: { a: { '\udc00/x': 1 } } }, '/metadata/a/\\udc00~1x'],
      [{ document_id: 'doc\u0000' }, '/document_id'],
      [{ pipeline_run_id: '\ud83d' }, '/pipeline_run_id'],
      [{ status: 'failed', error: { type: 'E', message: 'boom\u0000' } }, '/error/message'],
      [{ trace: { input: { prompt: 'x\u0000' } } }, '/trace/input/prompt'],
      [{ trace: { output: ['\udfff'] } }, '/trace/output/0'],
      [{ trace: { decision_rationale: 'why\u0000' } }, '/trace/decision_rationale'],
    ];
    for (const [over, path] of cases) {
      const p = storageProblem(base(over));
      expect(p?.path, JSON.stringify(over)).toBe(path);
      expect(p?.message).toMatch(/U\+0000|unpaired surrogate/);
    }
  });

  it('refuses non-finite numbers anywhere (JSON.parse of 1e400)', () => {
    const parsed = JSON.parse('{"metadata":{"x":1e400,"y":[{"z":-1e400}]}}') as { metadata: Record<string, unknown> };
    expect(storageProblem(base({ metadata: parsed.metadata }))?.message).toMatch(/Infinity/);
    expect(storageProblem(base({ trace: { output: { deep: [Number.NaN] } } }))?.path).toBe('/trace/output/deep/0');
  });

  it('keeps extreme finite numbers: -0, 5e-324, the largest double', () => {
    expect(storageProblem(base({ metadata: { a: -0, b: 5e-324, c: 1.7976931348623157e308, d: -1.7976931348623157e308 } }))).toBeNull();
  });

  it('refuses nesting deeper than the limit under metadata and trace, without recursion', () => {
    expect(storageProblem(base({ metadata: { x: nested(MAX_NESTING_DEPTH - 2) } }))).toBeNull();
    expect(storageProblem(base({ metadata: { x: nested(MAX_NESTING_DEPTH) } }))?.path).toBe('/metadata');
    expect(storageProblem(base({ trace: { input: nested(100_000) } }))?.message).toMatch(/nested deeper/);
  });

  it('refuses a non-zero confidence that PostgreSQL real rounds to zero', () => {
    expect(storageProblem(base({ trace: { confidence_score: 5e-324 } }))?.path).toBe('/trace/confidence_score');
    expect(storageProblem(base({ trace: { confidence_score: 0 } }))).toBeNull();
    expect(storageProblem(base({ trace: { confidence_score: 2e-38 } }))).toBeNull();
  });

  it('lists refusals of a batch by index, for the OTLP route', () => {
    const r = storageRefusals([base(), base({ document_id: '\u0000' }), base()]);
    expect(r).toEqual([{ index: 1, path: '/document_id', reason: expect.stringMatching(/U\+0000/) }]);
    expect(eventField(3, '/metadata/note')).toBe('events[3].metadata.note');
    expect(eventField(0, '/')).toBe('events[0]');
  });
});

describe('priceOf', () => {
  const max = { input_per_1k: 1e6, output_per_1k: 1e6, cached_input_per_1k: 1e6, per_page: 1e6, per_call: 1e6 };

  it('is never negative, non-finite or above the per-event bound, whatever the registry holds', () => {
    const usage = { input_tokens: 1e8, output_tokens: 1e8, metadata: { pages: 2.4e12, cached_input_tokens: 1e12 } };
    expect(priceOf(max, usage)).toBeLessThanOrEqual(MAX_EVENT_COST_USD);
    expect(priceOf({ per_page: 0.4 }, { input_tokens: null, output_tokens: null, metadata: { pages: -1e12 } })).toBe(0);
    const hostile = { input_per_1k: -5, per_page: Number.POSITIVE_INFINITY, per_call: Number.NaN } as never;
    expect(priceOf(hostile, { input_tokens: 1000, output_tokens: 0, metadata: { pages: 3 } })).toBe(0);
  });

  it('prices ordinary usage as before', () => {
    expect(priceOf({ input_per_1k: 0.5, output_per_1k: 1, per_page: 0.01, per_call: 0.001 }, { input_tokens: 2000, output_tokens: 1000, metadata: { pages: 3 } })).toBeCloseTo(2.031, 9);
  });

  it('keeps the bound under the event cost column (numeric(18, 9))', () => {
    expect(MAX_EVENT_COST_USD).toBe(300_001_000);
    expect(MAX_EVENT_COST_USD).toBeLessThan(1e9);
  });
});
