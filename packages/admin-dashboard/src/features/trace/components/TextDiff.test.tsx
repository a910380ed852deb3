import { render } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { TextDiff, textOf } from './TextDiff.tsx';

describe('TextDiff', () => {
  it('marks words added and removed, keeping redaction placeholders marked', () => {
    const { container } = render(<TextDiff before="Invoice for <PERSON_1>, contact <EMAIL_1>." after="Invoice for <PERSON_1> due." />);
    const removed = [...container.querySelectorAll('.diff-body del')].map((d) => d.textContent).join('|');
    const added = [...container.querySelectorAll('.diff-body ins')].map((d) => d.textContent).join('|');
    expect(removed).toContain('contact');
    expect(added).toContain('due');
    expect(container.querySelectorAll('.diff-body mark.redaction').length).toBeGreaterThanOrEqual(1);
  });

  it('finds text in strings and common text fields only', () => {
    expect(textOf('plain')).toBe('plain');
    expect(textOf({ text: 'body', label: 'x' })).toBe('body');
    expect(textOf({ vector: [1, 2] })).toBeNull();
    expect(textOf([1])).toBeNull();
  });
});
