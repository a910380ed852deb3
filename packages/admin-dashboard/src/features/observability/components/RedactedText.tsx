import { Fragment } from 'react';

/** Typed redaction placeholders the SDK and server put where PII was: `<EMAIL_1>`. */
export const REDACTION_RE = /<[A-Z_]+_\d+>/g;

function describe(token: string): string {
  const kind = token.slice(1, token.lastIndexOf('_')).toLowerCase().replace(/_/g, ' ');
  return `Redacted ${kind}`;
}

/** Text with placeholders marked (styled, and named for screen readers) and an
 * optional search term highlighted. */
export function RedactedText({ text, highlight }: { text: string; highlight?: string }) {
  const parts: { text: string; redacted: boolean }[] = [];
  let last = 0;
  for (const m of text.matchAll(REDACTION_RE)) {
    if (m.index > last) parts.push({ text: text.slice(last, m.index), redacted: false });
    parts.push({ text: m[0], redacted: true });
    last = m.index + m[0].length;
  }
  if (last < text.length) parts.push({ text: text.slice(last), redacted: false });
  return (
    <>
      {parts.map((p, i) =>
        p.redacted ? (
          <mark key={i} className="redaction" title={describe(p.text)} aria-label={`${describe(p.text)}: ${p.text}`}>
            {p.text}
          </mark>
        ) : (
          <Fragment key={i}>{highlight ? <Highlight text={p.text} term={highlight} /> : p.text}</Fragment>
        ),
      )}
    </>
  );
}

export function Highlight({ text, term }: { text: string; term: string }) {
  if (!term) return <>{text}</>;
  const lower = text.toLowerCase();
  const t = term.toLowerCase();
  const out: (string | { hit: string })[] = [];
  let from = 0;
  for (let i = lower.indexOf(t); i >= 0; i = lower.indexOf(t, i + t.length)) {
    if (i > from) out.push(text.slice(from, i));
    out.push({ hit: text.slice(i, i + t.length) });
    from = i + t.length;
  }
  if (from < text.length) out.push(text.slice(from));
  return (
    <>
      {out.map((p, i) =>
        typeof p === 'string' ? (
          <Fragment key={i}>{p}</Fragment>
        ) : (
          <mark key={i} className="search-hit">
            {p.hit}
          </mark>
        ),
      )}
    </>
  );
}
