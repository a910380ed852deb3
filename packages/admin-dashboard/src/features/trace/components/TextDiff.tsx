import { diffLines, diffWordsWithSpace } from 'diff';
import { useMemo } from 'react';
import { RedactedText } from './RedactedText.tsx';

/** A string worth diffing: the value itself, or a common text field of an object. */
export function textOf(v: unknown): string | null {
  if (typeof v === 'string') return v;
  if (v && typeof v === 'object' && !Array.isArray(v)) {
    for (const k of ['text', 'content', 'document', 'body', 'summary']) {
      const t = (v as Record<string, unknown>)[k];
      if (typeof t === 'string') return t;
    }
  }
  return null;
}

/** Word diffs read best, but cost O(n·d); past this size we diff by line. */
const WORD_DIFF_LIMIT = 20_000;

/** What changed from input text to output text; additions and removals are marked
 * by element (`ins`/`del`) and symbol, not by colour alone. */
export function TextDiff({ before, after }: { before: string; after: string }) {
  const parts = useMemo(() => {
    const changes = before.length + after.length > WORD_DIFF_LIMIT ? diffLines(before, after) : diffWordsWithSpace(before, after);
    // Stable keys: each part's offset in the input (removed/unchanged) or output (added) text.
    let inAt = 0;
    let outAt = 0;
    return changes.map((c) => {
      const key = c.added ? `+${outAt}` : c.removed ? `-${inAt}` : `=${inAt}`;
      if (!c.added) inAt += c.value.length;
      if (!c.removed) outAt += c.value.length;
      return { added: c.added, removed: c.removed, value: c.value, key };
    });
  }, [before, after]);
  return (
    <section className="text-diff" aria-label="Text difference from input to output">
      <h3>Text diff</h3>
      <p className="muted legend">
        <ins>+ added in output</ins> <del>− removed from input</del>
      </p>
      <div className="diff-body">
        {parts.map((p) =>
          p.added ? (
            <ins key={p.key}>
              <RedactedText text={p.value} />
            </ins>
          ) : p.removed ? (
            <del key={p.key}>
              <RedactedText text={p.value} />
            </del>
          ) : (
            <span key={p.key}>
              <RedactedText text={p.value} />
            </span>
          ),
        )}
      </div>
    </section>
  );
}
