import type { Experiment, TimelineItem } from '@frostbyte/contracts';
import { describe, expect, it } from 'vitest';
import { groupByDay, mergeTimeline, scopeText, versionText } from './provenance-timeline.ts';

const item = (over: Partial<TimelineItem> & Pick<TimelineItem, 'id' | 'at' | 'kind'>): TimelineItem => ({
  model_name: 'docparse',
  version: '1.0.0',
  from_version: null,
  tenants: null,
  actor: 'ana',
  reason: 'because',
  summary: 's',
  details: {},
  ...over,
});

const experiment = (over: Partial<Experiment> = {}): Experiment => ({
  id: 'e1',
  name: 'chunking',
  stage: 'parse',
  control: { model_name: 'docparse', version: '1.0.0' },
  treatment: { model_name: 'docparse', version: '1.1.0' },
  treatment_percent: 20,
  tenants: null,
  state: 'running',
  created_by: 'bo',
  reason: 'try smaller chunks',
  started_at: '2026-03-02T10:00:00.000Z',
  ended_at: null,
  ended_by: null,
  end_reason: null,
  winner: null,
  ...over,
});

describe('mergeTimeline', () => {
  it('orders newest first, ties by id, and labels each kind in words', () => {
    const out = mergeTimeline([
      item({ id: 'version_registered:a', at: '2026-03-01T09:00:00.000Z', kind: 'version_registered' }),
      item({ id: 'deploy:c', at: '2026-03-01T10:00:00.000Z', kind: 'deploy', version: '1.1.0', from_version: '1.0.0' }),
      item({
        id: 'rollback:b',
        at: '2026-03-01T10:00:00.000Z',
        kind: 'rollback',
        version: '1.0.0',
        from_version: '1.1.0',
        tenants: ['acme'],
      }),
    ]);
    expect(out.map((e) => e.id)).toEqual(['rollback:b', 'deploy:c', 'version_registered:a']);
    expect(out[0]).toMatchObject({ label: 'Rolled back', glyph: '↶', scope: 'acme' });
    expect(out[1]).toMatchObject({ label: 'Deployed', scope: 'every tenant' });
  });

  it('adds experiments the timeline does not have yet, once, and the server item wins', () => {
    const server = item({
      id: 'experiment_started:e1',
      at: '2026-03-02T10:00:00.000Z',
      kind: 'experiment_started',
      summary: 'from server',
    });
    const out = mergeTimeline([server], [experiment()], 'docparse');
    expect(out.filter((e) => e.id === 'experiment_started:e1')).toHaveLength(1);
    expect(out[0]?.summary).toBe('from server');

    const ended = experiment({
      state: 'promoted',
      ended_at: '2026-03-03T10:00:00.000Z',
      ended_by: 'cy',
      end_reason: 'faster',
      winner: 'treatment',
    });
    const merged = mergeTimeline([], [ended], 'docparse');
    expect(merged.map((e) => e.kind)).toEqual(['experiment_promoted', 'experiment_started']);
    expect(merged[0]).toMatchObject({ version: '1.1.0', actor: 'cy', reason: 'faster' });
  });

  it('keeps one end per experiment when the server names it under the other end kind', () => {
    const ended = experiment({ state: 'stopped', ended_at: '2026-03-03T10:00:00.000Z', ended_by: 'cy', end_reason: 'done' });
    const server = item({
      id: 'experiment_promoted:e1',
      at: '2026-03-03T10:00:00.000Z',
      kind: 'experiment_promoted',
      details: { experiment_id: 'e1' },
    });
    const out = mergeTimeline([server], [ended], 'docparse');
    expect(out.filter((e) => e.kind.startsWith('experiment_') && e.kind !== 'experiment_started').map((e) => e.id)).toEqual([
      'experiment_promoted:e1',
    ]);
  });
});

describe('formatting', () => {
  it('says who a change applies to', () => {
    expect(scopeText(null)).toBe('every tenant');
    expect(scopeText(['a', 'b'])).toBe('a, b');
    expect(scopeText(['a', 'b', 'c', 'd', 'e'])).toBe('a, b, c and 2 more');
  });
  it('shows a version change as from → to', () => {
    expect(versionText({ version: '1.1.0', from_version: '1.0.0' })).toBe('1.0.0 → 1.1.0');
    expect(versionText({ version: '1.1.0', from_version: null })).toBe('1.1.0');
    expect(versionText({ version: null, from_version: null })).toBe('');
  });
  it('groups consecutive entries of a day under one heading', () => {
    const days = groupByDay(
      mergeTimeline([
        item({ id: 'a', at: '2026-03-01T12:00:00.000Z', kind: 'deploy' }),
        item({ id: 'b', at: '2026-03-01T12:30:00.000Z', kind: 'deploy' }),
        item({ id: 'c', at: '2026-03-05T12:00:00.000Z', kind: 'deploy' }),
      ]),
    );
    expect(days.map((d) => d.entries.map((e) => e.id))).toEqual([['c'], ['b', 'a']]);
  });
});
