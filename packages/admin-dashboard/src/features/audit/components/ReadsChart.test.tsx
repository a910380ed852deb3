import { render, screen, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { ReadsChart } from './ReadsChart.tsx';

describe('ReadsChart', () => {
  it('draws one column per reader per day and gives the same figures as a table', () => {
    const { container } = render(
      <ReadsChart
        byDay={[
          { day: '2026-12-06', actor: 'user:alice', reads: 4 },
          { day: '2026-12-07', actor: 'user:alice', reads: 2 },
          { day: '2026-12-07', actor: 'user:bob', reads: 1 },
        ]}
      />,
    );
    expect(container.querySelectorAll('.reads-day')).toHaveLength(2);
    const cols = [...container.querySelectorAll<HTMLElement>('.reads-col')].map((c) => c.style.height);
    expect(cols).toEqual(['100%', '0%', '50%', '25%']);
    const table = screen.getByRole('table', { name: 'Reads per person per day' });
    const rows = within(table)
      .getAllByRole('row')
      .map((r) => r.textContent);
    expect(rows).toEqual(['Dayuser:aliceuser:bob', '2026-12-0640', '2026-12-0721']);
    expect(screen.getByRole('list').textContent).toContain('user:alice (6 reads)');
  });

  it('says so when nobody read a trace', () => {
    render(<ReadsChart byDay={[]} />);
    expect(screen.getByText('No trace was read in this period.')).toBeTruthy();
  });
});
