import { describe, expect, it } from 'vitest';
import {
  canSeePayloads,
  INGEST_KEY_PERMISSIONS,
  isPermission,
  PERMISSIONS,
  permissionTableMarkdown,
  ROLE_PERMISSIONS,
  ROLES,
} from './permissions.ts';

describe('permission matrix', () => {
  it('only viewer and operator are denied payloads; admin holds everything', () => {
    expect(ROLES.filter(canSeePayloads)).toEqual(['admin', 'ml_engineer', 'compliance_officer']);
    expect([...ROLE_PERMISSIONS.admin].sort()).toEqual(Object.keys(PERMISSIONS).sort());
  });

  it('every granted permission exists; ingest keys write events and read their pipeline config (and say who they are)', () => {
    for (const r of ROLES) for (const p of ROLE_PERMISSIONS[r]) expect(isPermission(p)).toBe(true);
    expect(INGEST_KEY_PERMISSIONS).toEqual(['session:read', 'events:write', 'pipeline:config']);
    expect(ROLES.filter((r) => ROLE_PERMISSIONS[r].includes('events:write'))).toEqual(['admin']);
    expect(isPermission('toString')).toBe(false);
    expect(isPermission('public')).toBe(false);
  });

  it('renders the README table: one row per permission, one column per role and the ingest key', () => {
    const md = permissionTableMarkdown();
    const lines = md.trim().split('\n');
    expect(lines).toHaveLength(2 + Object.keys(PERMISSIONS).length);
    expect(lines[0]).toBe('| permission | what it allows | admin | ml_engineer | compliance_officer | operator | viewer | ingest key |');
    expect(lines.find((l) => l.startsWith('| `payloads:read`'))).toMatch(/\| ✓ \| ✓ \| ✓ \| {2}\| {2}\| {2}\|$/);
  });
});
