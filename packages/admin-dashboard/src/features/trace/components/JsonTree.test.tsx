import { fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { JsonTree } from './JsonTree.tsx';

const payload = {
  user: { name: 'Alice Example', emails: ['<EMAIL_1>', 'alice@work.test'], address: { city: 'Oslo', zip: '0150' } },
  scores: [0.1, 0.9],
  ok: true,
  note: null,
};

describe('JsonTree', () => {
  let writeText: ReturnType<typeof vi.fn>;
  beforeEach(() => {
    writeText = vi.fn().mockResolvedValue(undefined);
    Object.defineProperty(navigator, 'clipboard', { value: { writeText }, configurable: true });
  });
  afterEach(() => {
    Object.defineProperty(navigator, 'clipboard', { value: undefined, configurable: true });
  });

  it('opens the root and its children, and expands/collapses on demand', () => {
    render(<JsonTree label="Input" value={payload} />);
    expect(screen.getByText('Alice Example', { exact: false })).toBeTruthy();
    expect(screen.queryByText('Oslo', { exact: false })).toBeNull();

    const expand = screen.getByRole('button', { name: 'Expand $.user.address' });
    expect(expand.getAttribute('aria-expanded')).toBe('false');
    fireEvent.click(expand);
    expect(screen.getByText('Oslo', { exact: false })).toBeTruthy();
    expect(screen.getByRole('button', { name: 'Collapse $.user.address' }).getAttribute('aria-expanded')).toBe('true');

    fireEvent.click(screen.getByRole('button', { name: 'Collapse $.user' }));
    expect(screen.queryByText('Alice Example', { exact: false })).toBeNull();
    expect(screen.getByText('{3}')).toBeTruthy();
  });

  it('search highlights matches, counts them and opens their ancestors', async () => {
    render(<JsonTree label="Input" value={payload} />);
    fireEvent.change(screen.getByLabelText('Search Input'), { target: { value: 'osl' } });
    await waitFor(() => expect(screen.getByText('1 match')).toBeTruthy());
    const hit = document.querySelector('mark.search-hit');
    expect(hit?.textContent).toBe('Osl');
    expect(screen.getByRole('button', { name: 'Collapse $.user.address' })).toBeTruthy();
    // A key matches too.
    fireEvent.change(screen.getByLabelText('Search Input'), { target: { value: 'zip' } });
    await waitFor(() => expect(screen.getByText('1 match')).toBeTruthy());
  });

  it('copies a node path and its value', async () => {
    render(<JsonTree label="Output" value={payload} />);
    fireEvent.click(screen.getByRole('button', { name: 'Expand $.user.emails' }));
    fireEvent.click(screen.getByRole('button', { name: 'Copy path $.user.emails[1]' }));
    expect(writeText).toHaveBeenCalledWith('$.user.emails[1]');
    fireEvent.click(screen.getByRole('button', { name: 'Copy value of $.scores' }));
    expect(writeText).toHaveBeenLastCalledWith('[\n  0.1,\n  0.9\n]');
    await waitFor(() => expect(screen.getByText('Copied value of $.scores')).toBeTruthy());
  });

  it('quotes keys that are not identifiers in paths', () => {
    render(<JsonTree label="Input" value={{ 'odd key': 1 }} />);
    expect(screen.getByRole('button', { name: 'Copy path $["odd key"]' })).toBeTruthy();
  });

  it('marks redaction placeholders and names them for screen readers', () => {
    render(<JsonTree label="Input" value={payload} />);
    fireEvent.click(screen.getByRole('button', { name: 'Expand all' }));
    const mark = document.querySelector('mark.redaction') as HTMLElement;
    expect(mark.title).toBe('Redacted email');
    // Screen readers hear what it is; sighted users see the placeholder, marked.
    expect(mark.textContent).toBe('Redacted email: <EMAIL_1>');
    expect(mark.querySelector('.visually-hidden')?.textContent).toBe('Redacted email: ');
  });

  it('pages large arrays and long strings instead of rendering them whole', () => {
    const big = { rows: Array.from({ length: 250 }, (_, i) => `row ${i}`), text: 'x'.repeat(5000) };
    render(<JsonTree label="Input" value={big} pageSize={100} stringPage={2000} />);
    const rows = screen.getByRole('button', { name: 'Collapse $.rows' }).closest('li') as HTMLElement;
    const items = () => rows.querySelectorAll(':scope > ul > li').length;
    expect(items()).toBe(101); // 100 items + "show more"
    fireEvent.click(within(rows).getByText('Show 100 more of 150 remaining in $.rows'));
    expect(items()).toBe(201);
    fireEvent.click(screen.getByText('Show more (3,000 characters left)'));
    expect(screen.getByText('Show more (1,000 characters left)')).toBeTruthy();
  });

  it('shows a search hit that lies beyond the current page', async () => {
    const big = { rows: Array.from({ length: 300 }, (_, i) => `row ${i}`) };
    render(<JsonTree label="Input" value={big} pageSize={100} />);
    fireEvent.change(screen.getByLabelText('Search Input'), { target: { value: 'row 250' } });
    await waitFor(() => expect(screen.getByText('1 match')).toBeTruthy());
    expect(document.querySelector('mark.search-hit')?.textContent).toBe('row 250');
  });
});
