import { render, screen, within } from '@testing-library/react';
import { describe, expect, it, vi } from 'vitest';
import { PermissionsProvider } from '../../lib/permissions.tsx';
import { Nav } from './Nav.tsx';

// The route list imports every page; uPlot reads matchMedia (absent in jsdom) when loaded.
vi.hoisted(() => {
  window.matchMedia ??= ((query: string) => ({
    matches: false,
    media: query,
    addEventListener() {},
    removeEventListener() {},
    addListener() {},
    removeListener() {},
  })) as unknown as typeof window.matchMedia;
});

const links = () =>
  within(screen.getByRole('navigation', { name: 'Main' }))
    .getAllByRole('link')
    .map((a) => a.textContent);

describe('Nav', () => {
  it('lists the Audit page only for users with audit:read', () => {
    const { unmount } = render(
      <PermissionsProvider permissions={['events:read', 'registry:read']}>
        <Nav />
      </PermissionsProvider>,
    );
    expect(links()).toEqual(['Activity', 'Provenance', 'Pipeline']);
    unmount();
    render(
      <PermissionsProvider permissions={['events:read', 'audit:read']}>
        <Nav />
      </PermissionsProvider>,
    );
    expect(links()).toEqual(['Activity', 'Provenance', 'Pipeline', 'Audit']);
  });

  it('lists it for everything (`*`), carrying the tenant in the link', () => {
    window.history.replaceState(null, '', '/activity?tenant_id=acme');
    render(
      <PermissionsProvider permissions={['*']}>
        <Nav />
      </PermissionsProvider>,
    );
    expect(screen.getByRole('link', { name: 'Audit' }).getAttribute('href')).toBe('/audit?tenant_id=acme');
  });
});
