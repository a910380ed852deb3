import { Fragment } from 'react';

/** Typed redaction placeholders the SDK and server put where PII was: `<EMAIL_1>`. */
export const REDACTION_RE = /<[A-Z_]+_\d+>/g;

function describe(token: string): string {
  const kind = token.slice(1, token.lastIndexOf('_')).toLowerCase().replace(/_/g, ' ');
  return `Redacted ${kind}`;
}

interface Part {
  at: number;
  text: string;
  redacted: boolean;
}

export function splitRedactions(text: string): Part[] {
  const parts: Part[] = [];
  let last = 0;
  for (const m of text.matchAll(REDACTION_RE)) {
    if (m.index > last) parts.push({ at: last, text: text.slice(last, m.index), redacted: false });
    parts.push({ at: m.index, text: m[0], redacted: true });
    last = m.index + m[0].length;
  }
  if (last < text.length) parts.push({ at: last, text: text.slice(last), redacted: false });
  return parts;
}

/** Text with placeholders marked (styled, and named for screen readers) and an
 * optional search term highlighted. */
export function RedactedText({ text, highlight }: { text: string; highlight?: string }) {
  return (
    <>
      {splitRedactions(text).map((p) =>
        p.redacted ? (
          <mark key={p.at} className="redaction" title={describe(p.text)}>
            <span className="visually-hidden">{describe(p.text)}: </span>
            {p.text}
          </mark>
        ) : (
          <Fragment key={p.at}>{highlight ? <Highlight text={p.text} term={highlight} /> : p.text}</Fragment>
        ),
      )}
    </>
  );
}

export function Highlight({ text, term }: { text: string; term: string }) {
  if (!term) return <>{text}</>;
  const lower = text.toLowerCase();
  const t = term.toLowerCase();
  const out: { at: number; text: string; hit: boolean }[] = [];
  let from = 0;
  for (let i = lower.indexOf(t); i >= 0; i = lower.indexOf(t, i + t.length)) {
    if (i > from) out.push({ at: from, text: text.slice(from, i), hit: false });
    out.push({ at: i, text: text.slice(i, i + t.length), hit: true });
    from = i + t.length;
  }
  if (from < text.length) out.push({ at: from, text: text.slice(from), hit: false });
  return (
    <>
      {out.map((p) =>
        p.hit ? (
          <mark key={p.at} className="search-hit">
            {p.text}
          </mark>
        ) : (
          <Fragment key={p.at}>{p.text}</Fragment>
        ),
      )}
    </>
  );
}
