import { fireEvent, render, screen, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import type { AuditEntry } from '../api/get-audit-log.ts';
import { AuditLog } from './AuditLog.tsx';

const H = (c: string) => c.repeat(64);
const entries: AuditEntry[] = [
  {
    tenant_id: 'acme',
    seq: 2,
    ts: '2026-12-07T09:44:26Z',
    actor: 'user:alice',
    action: 'trace.read',
    target: 'event:01a24fe3-cc34-7cfa-a1d9-c27e51cc0ad4',
    details: { purpose: 'DSAR 2026-114', reads: 3, document_id: 'hr/7.docx' },
    prev_hash: H('a'),
    hash: H('b'),
    checkpointed: false,
  },
  {
    tenant_id: 'acme',
    seq: 1,
    ts: '2026-12-07T09:40:00Z',
    actor: 'system:writer',
    action: 'events.batch',
    target: 'events:1-0..1-1',
    details: { count: 2 },
    batch_root: H('c'),
    prev_hash: H('0'),
    hash: H('a'),
    checkpointed: true,
  },
];

describe('AuditLog', () => {
  it('shows each entry with its chain (seq, hash prefix, link) and checkpoint status in words', () => {
    render(<AuditLog entries={entries} />);
    const rows = within(screen.getByRole('table', { name: 'Audit entries' })).getAllByRole('row');
    expect(rows).toHaveLength(3);
    expect(rows[1]?.textContent).toContain('trace.read');
    expect(rows[1]?.textContent).toContain(`#2 ${'b'.repeat(12)}… linked`);
    expect(rows[1]?.textContent).toContain('not yet signed');
    expect(rows[2]?.textContent).toContain('#1');
    expect(rows[2]?.textContent).toContain('first');
    expect(rows[2]?.textContent).toContain('signed');
    // An event target links to its trace.
    expect(screen.getByRole('link', { name: entries[0]?.target }).getAttribute('href')).toBe(
      '/trace/01a24fe3-cc34-7cfa-a1d9-c27e51cc0ad4?tenant_id=acme',
    );
  });

  it('marks a broken link', () => {
    render(<AuditLog entries={[{ ...(entries[0] as AuditEntry), prev_hash: H('f') }, entries[1] as AuditEntry]} />);
    expect(screen.getByText('link broken')).toBeTruthy();
  });

  it('opens and closes an entry’s details with a button that says its state', () => {
    render(<AuditLog entries={entries} />);
    const button = screen.getByRole('button', { name: 'Details of entry 2 of acme' });
    expect(button.getAttribute('aria-expanded')).toBe('false');
    fireEvent.click(button);
    expect(button.getAttribute('aria-expanded')).toBe('true');
    const details = document.getElementById(button.getAttribute('aria-controls') ?? '');
    expect(details?.textContent).toContain('"purpose": "DSAR 2026-114"');
    expect(details?.textContent).toContain(H('b'));
    fireEvent.click(screen.getByRole('button', { name: 'Hide of entry 2 of acme' }));
    expect(screen.queryByText(/DSAR 2026-114/)).toBeNull();
  });

  it('says so when nothing matches', () => {
    render(<AuditLog entries={[]} />);
    expect(screen.getByText('No audit entry matches these filters.')).toBeTruthy();
  });
});
