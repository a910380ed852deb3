import { diffLines } from 'diff';
import { useMemo } from 'react';

/** Pretty JSON with sorted keys, so a diff shows changes, not key order. */
export function stableJson(value: unknown): string {
  const sort = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(sort);
    if (v && typeof v === 'object')
      return Object.fromEntries(
        Object.keys(v as object)
          .sort()
          .map((k) => [k, sort((v as Record<string, unknown>)[k])]),
      );
    return v;
  };
  return JSON.stringify(sort(value), null, 2);
}

/** Two configurations as a line diff (the `diff` library): added lines marked `+` and
 * `<ins>`, removed `−` and `<del>` — by symbol and element, not colour alone. */
export function ConfigTextDiff({ before, after, label }: { before: unknown; after: unknown; label: string }) {
  const lines = useMemo(() => {
    const out: { key: string; sign: '+' | '−' | ' '; text: string }[] = [];
    let n = 0;
    for (const part of diffLines(stableJson(before), stableJson(after))) {
      const sign = part.added ? '+' : part.removed ? '−' : ' ';
      for (const text of part.value.replace(/\n$/, '').split('\n')) out.push({ key: `${n++}`, sign, text });
    }
    return out;
  }, [before, after]);
  return (
    <figure className="config-diff-figure">
      <figcaption className="visually-hidden">{label}</figcaption>
      <pre className="config-diff">
        {lines.map((l) =>
          l.sign === '+' ? (
            <ins key={l.key}>{`+ ${l.text}\n`}</ins>
          ) : l.sign === '−' ? (
            <del key={l.key}>{`− ${l.text}\n`}</del>
          ) : (
            <span key={l.key}>{`  ${l.text}\n`}</span>
          ),
        )}
      </pre>
    </figure>
  );
}
