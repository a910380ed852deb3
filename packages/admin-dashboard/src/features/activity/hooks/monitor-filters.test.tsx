import { act, fireEvent, render, screen, waitFor } from '@testing-library/react';
import { beforeEach, describe, expect, it } from 'vitest';
import { navigate, useLocation } from '../../../lib/router.tsx';
import { FilterBar } from '../components/FilterBar.tsx';
import { DEFAULT_WINDOW, filtersToSearch, type MonitorFilters, parseFilters, toEventFilter, toHistoryQuery } from './monitor-filters.ts';
import { useMonitorFilters } from './use-monitor-filters.ts';

describe('filters ↔ URL', () => {
  it('round-trips every filter through the query string', () => {
    const f: MonitorFilters = {
      tenant_id: 'acme',
      model_name: 'frostbyte-docparse',
      model_version: '1.2.0',
      document_id: 'doc/2024 report.pdf',
      document_prefix: 'invoices/',
      operation: 'classify',
      stage: 'policy',
      status: 'failed',
      from: '2025-06-01T10:00:00.000Z',
      to: '2025-06-01T11:30:00.000Z',
      window: 3600,
    };
    const search = filtersToSearch(f);
    expect(parseFilters(search)).toEqual(f);
    // The URL uses the API's parameter names, so a shared link reads like the request.
    expect(search).toContain('document_prefix=invoices%2F');
    expect(search).toContain('status=failed');
  });

  it('leaves defaults and empty values out, and keeps parameters it does not own', () => {
    expect(filtersToSearch({ window: DEFAULT_WINDOW })).toBe('');
    expect(filtersToSearch({ window: DEFAULT_WINDOW, stage: '  ' }, '?utm=x&stage=parse')).toBe('?utm=x');
  });

  it('ignores values the server would reject instead of sending them', () => {
    expect(parseFilters('?status=exploded&window=7&from=yesterday&stage=embed')).toEqual({ window: DEFAULT_WINDOW, stage: 'embed' });
  });

  it('sends filters to the stream and adds the time range for history', () => {
    const f = parseFilters('?tenant_id=acme&status=failed&from=2025-06-01T10:00:00Z&window=300');
    expect(toEventFilter(f)).toEqual({ tenant_id: 'acme', status: 'failed' });
    expect(toHistoryQuery(f)).toEqual({ tenant_id: 'acme', status: 'failed', from: '2025-06-01T10:00:00.000Z' });
  });
});

function Harness() {
  const [filters, setFilters] = useMonitorFilters();
  const { search } = useLocation();
  return <FilterBar key={search} filters={filters} onApply={setFilters} models={['frostbyte-docparse']} operations={[]} stages={[]} />;
}

describe('FilterBar with the URL', () => {
  beforeEach(() => {
    window.history.replaceState(null, '', '/activity?tenant_id=acme&stage=embed');
    act(() => navigate('/activity?tenant_id=acme&stage=embed', { replace: true }));
  });

  it('shows the URL filters, writes applied filters to the URL, and Back restores them', async () => {
    render(<Harness />);
    expect((screen.getByLabelText('Stage') as HTMLSelectElement).value).toBe('embed');

    fireEvent.change(screen.getByLabelText('Model'), { target: { value: 'frostbyte-docparse' } });
    fireEvent.change(screen.getByLabelText('Status'), { target: { value: 'failed' } });
    fireEvent.change(screen.getByLabelText('Document id starts with'), { target: { value: 'inv-' } });
    // Nothing is applied while typing.
    expect(window.location.search).toBe('?tenant_id=acme&stage=embed');
    fireEvent.click(screen.getByRole('button', { name: 'Apply filters' }));

    const q = new URLSearchParams(window.location.search);
    expect(Object.fromEntries(q)).toEqual({
      tenant_id: 'acme',
      model_name: 'frostbyte-docparse',
      document_prefix: 'inv-',
      stage: 'embed',
      status: 'failed',
    });
    expect((screen.getByLabelText('Status') as HTMLSelectElement).value).toBe('failed');

    act(() => window.history.back());
    await waitFor(() => expect(window.location.search).toBe('?tenant_id=acme&stage=embed'));
    await waitFor(() => expect((screen.getByLabelText('Status') as HTMLSelectElement).value).toBe(''));
    expect((screen.getByLabelText('Model') as HTMLInputElement).value).toBe('');
  });

  it('Clear keeps the tenant scope and the chart window', () => {
    act(() => navigate('/activity?tenant_id=acme&stage=embed&window=3600&status=failed'));
    render(<Harness />);
    fireEvent.click(screen.getByRole('button', { name: 'Clear' }));
    expect(window.location.search).toBe('?tenant_id=acme&window=3600');
  });

  it('converts the local time range inputs to ISO in the URL', () => {
    render(<Harness />);
    fireEvent.change(screen.getByLabelText('From'), { target: { value: '2025-06-01T10:00' } });
    fireEvent.click(screen.getByRole('button', { name: 'Apply filters' }));
    const from = new URLSearchParams(window.location.search).get('from');
    expect(from).toBe(new Date('2025-06-01T10:00').toISOString());
    expect((screen.getByLabelText('From') as HTMLInputElement).value).toBe('2025-06-01T10:00');
  });
});
