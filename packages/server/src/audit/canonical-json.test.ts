import { describe, expect, it } from 'vitest';
import { CanonicalJsonError, canonicalJson, canonicalSha256Hex } from './canonical-json.ts';

describe('canonicalJson', () => {
  it('sorts keys at every depth and writes no whitespace', () => {
    expect(canonicalJson({ b: 1, a: { d: [3, { z: true, y: null }], c: 'x' } })).toBe(
      '{"a":{"c":"x","d":[3,{"y":null,"z":true}]},"b":1}',
    );
  });

  it('does not depend on key insertion order', () => {
    const one = { tenant: 't', seq: 1, details: { x: 1, y: 2 } };
    const two = { details: { y: 2, x: 1 }, seq: 1, tenant: 't' };
    expect(canonicalJson(one)).toBe(canonicalJson(two));
    expect(canonicalSha256Hex(one)).toBe(canonicalSha256Hex(two));
  });

  it('sorts by UTF-16 code units like RFC 8785', () => {
    // RFC 8785 §3.2.3: "😀" (surrogates D83D DE00) sorts before "\ufb33", unlike code point order.
    const obj = { '\ufb33': 0, '😀': 1, '€': 2, ö: 3, '\u0080': 4, '1': 5, '\r': 6 };
    expect(canonicalJson(obj)).toBe('{"\\r":6,"1":5,"\u0080":4,"ö":3,"€":2,"😀":1,"\ufb33":0}');
  });

  it('writes numbers and strings as JSON.stringify does', () => {
    expect(canonicalJson([0.1, 1e21, -0, 1.5e-7, 'a"b\\c\n\u2028'])).toBe(JSON.stringify([0.1, 1e21, 0, 1.5e-7, 'a"b\\c\n\u2028']));
  });

  it('writes every kind of string exactly as JSON.stringify does', () => {
    const samples = ['', 'plain', 'quote"', 'back\\slash', 'tab\t', '\u0000\u001f\u007f', '\u2028\u2029', 'é€😀', '\ud800 lone', 'lone \udfff'];
    for (let c = 0; c < 0x10000; c += 97) samples.push(`x${String.fromCharCode(c)}y`);
    for (const s of samples) {
      expect(canonicalJson(s)).toBe(JSON.stringify(s));
      expect(canonicalJson({ [s]: s })).toBe(`{${JSON.stringify(s)}:${JSON.stringify(s)}}`);
    }
  });

  it('gives the same bytes after a JSON round trip', () => {
    const value = { when: new Date('2025-01-02T03:04:05.678Z'), nested: { list: [1, 'two', false], skip: undefined } };
    const roundTripped = JSON.parse(JSON.stringify(value)) as unknown;
    expect(canonicalJson(value)).toBe(canonicalJson(roundTripped));
    expect(canonicalJson(value)).toBe('{"nested":{"list":[1,"two",false]},"when":"2025-01-02T03:04:05.678Z"}');
  });

  it.each([
    ['NaN', { n: Number.NaN }],
    ['Infinity', [Number.POSITIVE_INFINITY]],
    ['bigint', { n: 10n }],
    ['undefined in an array', [1, undefined]],
    ['a function', { f: () => 1 }],
    ['a symbol', { s: Symbol('x') }],
    ['undefined at the top', undefined],
  ])('refuses %s instead of coercing it', (_name, value) => {
    expect(() => canonicalJson(value)).toThrow(CanonicalJsonError);
  });

  it('refuses cycles but accepts shared (acyclic) references', () => {
    const shared = { k: 1 };
    expect(canonicalJson({ a: shared, b: shared })).toBe('{"a":{"k":1},"b":{"k":1}}');
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    expect(() => canonicalJson(cyclic)).toThrow(/cyclic/);
  });
});
