import { render } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { VerifyWords } from './VerifyChain.tsx';

describe('VerifyWords', () => {
  it('says what was checked when the chain holds, and names the first bad entry when it does not', () => {
    const { container } = render(
      <VerifyWords
        result={{
          ok: false,
          tenants: [
            { tenant_id: 'acme', ok: true, entries: 12, checkpoints: 3, unattested: 2 },
            {
              tenant_id: 'globex',
              ok: false,
              first_bad: { seq: 7, reason: 'hash mismatch', detail: 'content rehashes to 9f…, stored 1c…' },
            },
          ],
        }}
      />,
    );
    const badges = [...container.querySelectorAll('.badge')].map((b) => [b.className, b.textContent]);
    expect(badges).toEqual([
      ['badge badge-completed', '✓ acme: 12 entries rehashed, 3 signed checkpoints valid, 2 not yet signed'],
      ['badge badge-failed', '✕ globex: entry #7 hash mismatch — content rehashes to 9f…, stored 1c…'],
    ]);
  });
});
