import { fireEvent, render, screen } from '@testing-library/react';
import { describe, expect, it, vi } from 'vitest';
import { ApiError } from '../../../lib/api-client.ts';
import { EraseDialog } from './EraseDialog.tsx';

const props = { tenant: 'acme', document: 'hr/7.docx', events: 4, pending: false, error: null };

describe('EraseDialog', () => {
  it('confirms only once the exact document id is typed', () => {
    const onConfirm = vi.fn();
    render(<EraseDialog {...props} onConfirm={onConfirm} onClose={() => {}} />);
    const dialog = screen.getByRole('dialog', { name: 'Erase document hr/7.docx' });
    expect(dialog.getAttribute('aria-modal')).toBe('true');
    const erase = screen.getByRole('button', { name: 'Erase for good' }) as HTMLButtonElement;
    const input = screen.getByLabelText('Type the document id to confirm');
    expect(erase.disabled).toBe(true);
    fireEvent.change(input, { target: { value: 'hr/7.doc' } });
    fireEvent.submit(input);
    expect(onConfirm).not.toHaveBeenCalled();
    fireEvent.change(input, { target: { value: 'HR/7.DOCX' } });
    expect(erase.disabled).toBe(true);
    fireEvent.change(input, { target: { value: 'hr/7.docx' } });
    expect(erase.disabled).toBe(false);
    fireEvent.click(erase);
    expect(onConfirm).toHaveBeenCalledTimes(1);
  });

  it('moves focus to its title, closes on Escape and shows the server’s refusal as it is', () => {
    const onClose = vi.fn();
    const error = new ApiError(
      409,
      'document hr/7.docx is under legal hold since 2026-12-07 (litigation): release the hold before erasing it',
      '/v1/documents/x/erase',
    );
    render(<EraseDialog {...props} error={error} onConfirm={() => {}} onClose={onClose} />);
    expect(document.activeElement?.textContent).toBe('Erase document hr/7.docx');
    expect(screen.getByRole('alert').textContent).toContain('release the hold before erasing it (HTTP 409)');
    fireEvent.keyDown(window, { key: 'Escape' });
    expect(onClose).toHaveBeenCalledTimes(1);
  });
});
