import { describe, expect, it } from 'vitest';
import { RedactionContext, redactValue } from './index.ts';
import { CIRCULAR_MARKER, DEPTH_MARKER, MAX_DEPTH } from './redact.ts';

describe('redactValue', () => {
  it('redacts string leaves deeply, keeps keys and non-strings, shares the context', () => {
    const input = {
      'owner@example.com': 'key stays',
      user: { email: 'owner@example.com', age: 41, vip: true, tags: ['call +14155552671', null] },
      when: new Date(0),
    };
    const ctx = new RedactionContext();
    const out = redactValue(input, ctx);
    expect(out).toEqual({
      'owner@example.com': 'key stays',
      user: { email: '<EMAIL_1>', age: 41, vip: true, tags: ['call <PHONE_1>', null] },
      when: new Date(0),
    });
    expect(ctx.summary()).toEqual({ EMAIL: 1, PHONE: 1 });
  });

  it('does not mutate its input', () => {
    const input = { a: ['x@example.com'], b: { c: 'y@example.com' } };
    const snapshot = structuredClone(input);
    const out = redactValue(input);
    expect(input).toEqual(snapshot);
    expect(Object.isFrozen(input)).toBe(false);
    expect(out.a).not.toBe(input.a);
  });

  it('works on frozen input', () => {
    const input = Object.freeze({ a: Object.freeze(['x@example.com']) });
    expect(redactValue(input)).toEqual({ a: ['<EMAIL_1>'] });
  });

  it('replaces cycles with a marker and stays JSON-serialisable', () => {
    const a: Record<string, unknown> = { email: 'x@example.com' };
    a.self = a;
    const out = redactValue(a) as Record<string, unknown>;
    expect(out.self).toBe(CIRCULAR_MARKER);
    expect(() => JSON.stringify(out)).not.toThrow();
  });

  it('redacts a shared (non-cyclic) object at every place it appears', () => {
    const shared = { email: 'x@example.com' };
    expect(redactValue({ a: shared, b: shared })).toEqual({ a: { email: '<EMAIL_1>' }, b: { email: '<EMAIL_1>' } });
  });

  it('cuts nesting beyond MAX_DEPTH instead of leaking or overflowing', () => {
    let deep: unknown = 'x@example.com';
    for (let i = 0; i < 10_000; i++) deep = { next: deep };
    const out = redactValue(deep);
    let node: unknown = out;
    let depth = 0;
    while (typeof node === 'object' && node !== null) {
      node = (node as { next: unknown }).next;
      depth++;
    }
    expect(depth).toBe(MAX_DEPTH);
    expect(node).toBe(DEPTH_MARKER);
    expect(JSON.stringify(out)).not.toContain('example.com');
  });

  it('walks Maps, Sets and Error messages', () => {
    const out = redactValue({ m: new Map([['k', 'x@example.com']]), s: new Set(['y@example.com']), e: new Error('failed for z@example.com') });
    expect(out.m.get('k')).toBe('<EMAIL_1>');
    expect([...out.s]).toEqual(['<EMAIL_2>']);
    expect(out.e).toBeInstanceOf(Error);
    expect(out.e.message).toBe('failed for <EMAIL_3>');
    expect(out.e.stack).not.toContain('z@example.com');
  });

  it('copies an own "__proto__" key as data', () => {
    const input = JSON.parse('{"__proto__": {"email": "x@example.com"}}') as Record<string, unknown>;
    const out = redactValue(input);
    expect(Object.getPrototypeOf(out)).toBe(Object.prototype);
    expect(JSON.stringify(out)).toBe('{"__proto__":{"email":"<EMAIL_1>"}}');
  });

  it('returns primitives unchanged', () => {
    expect(redactValue(42)).toBe(42);
    expect(redactValue(null)).toBe(null);
    expect(redactValue(undefined)).toBe(undefined);
    expect(redactValue('a@example.com')).toBe('<EMAIL_1>');
  });
});
