import { render, screen } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { RedactionNotice } from './PayloadPanels.tsx';

describe('RedactionNotice', () => {
  it('says what was redacted by type and by which recognizer', () => {
    // As the server stores it: types, plus recognizer:<name> for each user recognizer.
    render(
      <RedactionNotice
        redactions={[
          ['CUSTOM', 2],
          ['EMAIL', 1],
          ['PERSON', 3],
          ['recognizer:employee-id', 2],
        ]}
      />,
    );
    const text = screen.getByTestId('redaction-notice').textContent ?? '';
    expect(text).toContain('by type: 2 × CUSTOM, 1 × EMAIL, 3 × PERSON');
    expect(text).toContain('by recognizer: employee-id 2, built-in detectors 4');
  });
  it('names only the built-in detectors when no user recognizer matched', () => {
    render(<RedactionNotice redactions={[['PHONE', 1]]} />);
    expect(screen.getByTestId('redaction-notice').textContent).toContain('by recognizer: built-in detectors 1.');
  });
});
