import { describe, expect, it } from 'vitest';
import type { AuditEntry } from '../api/get-audit-log.ts';
import { auditFiltersToSearch, filterProblem, fromLocalInput, parseAuditFilters, toLocalInput } from './audit-filters.ts';
import { chainLinks, hashPrefix, targetHref } from './chain.ts';
import { readsChartData } from './reads-chart.ts';

describe('audit filters ↔ URL', () => {
  it('round-trips every filter under the API names and keeps parameters it does not own', () => {
    const f = {
      tenant_id: 'acme',
      actor: 'user:alice',
      action: 'trace.read',
      from: '2026-12-01T08:00:00.000Z',
      to: '2026-12-07T09:30:00.000Z',
    };
    const search = auditFiltersToSearch(f, '?utm=x&action=document.erase');
    expect(search).toContain('utm=x');
    expect(search).toContain('action=trace.read');
    expect(parseAuditFilters(search)).toEqual(f);
  });

  it('drops values the server would refuse, and empties', () => {
    expect(
      parseAuditFilters('?tenant_id=Not A Tenant&actor=&from=yesterday&to=2026-12-07T10:00:00Z&action=x'.replace(/ /g, '%20')),
    ).toEqual({
      to: '2026-12-07T10:00:00.000Z',
      action: 'x',
    });
    expect(parseAuditFilters(`?actor=${'a'.repeat(129)}`)).toEqual({});
    expect(auditFiltersToSearch({ actor: '  ' }, '?actor=old')).toBe('');
  });

  it('converts datetime-local values (local time) to ISO and back', () => {
    const iso = fromLocalInput('2026-12-07T09:30');
    expect(iso).toBe(new Date(2026, 11, 7, 9, 30).toISOString());
    expect(toLocalInput(iso)).toBe('2026-12-07T09:30');
    expect(fromLocalInput('')).toBeUndefined();
    expect(toLocalInput('nonsense')).toBe('');
  });

  it('refuses a period that ends before it starts', () => {
    expect(filterProblem({ from: '2026-12-07T10:00:00Z', to: '2026-12-07T09:00:00Z' })).toMatch(/must not be after/);
    expect(filterProblem({ from: '2026-12-07T09:00:00Z', to: '2026-12-07T10:00:00Z' })).toBeNull();
  });
});

const entry = (tenant: string, seq: number, hash: string, prev: string): AuditEntry => ({
  tenant_id: tenant,
  seq,
  ts: '2026-12-07T09:00:00Z',
  actor: 'user:alice',
  action: 'trace.read',
  target: 'event:x',
  details: {},
  prev_hash: prev,
  hash,
});

describe('chain links on the loaded page', () => {
  it('says linked, broken, unknown (predecessor not loaded) or first, per tenant', () => {
    const links = chainLinks([
      entry('a', 3, 'h3', 'h2'),
      entry('a', 2, 'h2', 'WRONG'),
      entry('a', 1, 'h1', '0000'),
      entry('b', 7, 'b7', 'b6'),
      entry('b', 6, 'b6', 'b5'),
    ]);
    expect(Object.fromEntries(links)).toEqual({ 'a:3': 'linked', 'a:2': 'broken', 'a:1': 'genesis', 'b:7': 'linked', 'b:6': 'unknown' });
  });

  it('shortens hashes and links event targets to the tracer', () => {
    expect(hashPrefix('0123456789abcdef0123')).toBe('0123456789ab…');
    expect(hashPrefix('abc')).toBe('abc');
    expect(targetHref('event:01a24fe3-cc34-7cfa-a1d9-c27e51cc0ad4', 'acme')).toBe(
      '/trace/01a24fe3-cc34-7cfa-a1d9-c27e51cc0ad4?tenant_id=acme',
    );
    expect(targetHref('document:hr/1.docx', 'acme')).toBeNull();
  });
});

describe('reads per person per day', () => {
  it('fills the days between the first and last with zeros and orders readers by reads', () => {
    const d = readsChartData([
      { day: '2026-12-01', actor: 'user:bob', reads: 1 },
      { day: '2026-12-04', actor: 'user:alice', reads: 5 },
      { day: '2026-12-04', actor: 'user:bob', reads: 2 },
    ]);
    expect(d.days).toEqual(['2026-12-01', '2026-12-02', '2026-12-03', '2026-12-04']);
    expect(d.actors).toEqual([
      { actor: 'user:alice', total: 5 },
      { actor: 'user:bob', total: 3 },
    ]);
    expect(d.reads).toEqual([
      [0, 1],
      [0, 0],
      [0, 0],
      [5, 2],
    ]);
    expect(d.max).toBe(5);
  });

  it('does not fill a gap longer than the limit, and is empty without reads', () => {
    const d = readsChartData(
      [
        { day: '2026-01-01', actor: 'a', reads: 1 },
        { day: '2026-12-01', actor: 'a', reads: 1 },
      ],
      62,
    );
    expect(d.days).toEqual(['2026-01-01', '2026-12-01']);
    expect(readsChartData([])).toEqual({ days: [], actors: [], reads: [], max: 0 });
  });
});
