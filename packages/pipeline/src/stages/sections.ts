import { convert } from 'html-to-text';

/**
 * Text extraction for the markup formats, keeping headings as section titles.
 * Each function returns sections; the document text is the sections joined
 * (see `sectionsToText`), so section texts and chunk texts agree.
 */

export interface Section {
  /** Heading text; '' for content before the first heading. */
  title: string;
  text: string;
}

export function sectionsToText(sections: readonly Section[]): string {
  return sections
    .map((s) => (s.title && s.text ? `${s.title}\n\n${s.text}` : s.title || s.text))
    .filter((part) => part.length > 0)
    .join('\n\n');
}

/** Collapses runs of blank lines and trailing spaces; keeps paragraph breaks. */
export function tidyText(text: string): string {
  return text
    .replace(/\r\n?/g, '\n')
    .replace(/[ \t\u00a0]+$/gm, '')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}

// ---------------------------------------------------------------- markdown

/**
 * Strips Markdown syntax to plain text. Handles what real documents use:
 * front matter, ATX and setext headings, fenced and indented code (content kept),
 * emphasis, inline code, links/images (text/alt kept), blockquotes, lists,
 * tables (cells kept, separator rows dropped), HTML tags and horizontal rules.
 */
export function markdownToSections(markdown: string): Section[] {
  const lines = markdown.replace(/\r\n?/g, '\n').split('\n');
  let i = 0;
  if (lines[0]?.trim() === '---') {
    const close = lines.findIndex((line, n) => n > 0 && /^(---|\.\.\.)\s*$/.test(line));
    if (close > 0) i = close + 1;
  }
  const sections: Section[] = [];
  let current: { title: string; lines: string[] } = { title: '', lines: [] };
  const flush = () => {
    const text = tidyText(current.lines.join('\n'));
    if (current.title || text) sections.push({ title: current.title, text });
  };
  let fence: string | null = null;
  for (; i < lines.length; i++) {
    const line = lines[i] as string;
    if (fence !== null) {
      if (line.trimStart().startsWith(fence)) fence = null;
      else current.lines.push(line);
      continue;
    }
    const fenceOpen = /^\s{0,3}(`{3,}|~{3,})/.exec(line);
    if (fenceOpen) {
      fence = (fenceOpen[1] as string).slice(0, 3);
      continue;
    }
    const atx = /^\s{0,3}(#{1,6})\s+(.*?)\s*#*\s*$/.exec(line);
    const next = lines[i + 1];
    const setext = line.trim() !== '' && next !== undefined && /^\s{0,3}(=+|-{2,})\s*$/.test(next) && !/^\s*([-*+]|\d+[.)])\s/.test(line);
    if (atx || setext) {
      flush();
      current = { title: stripInline(atx ? (atx[2] as string) : line.trim()), lines: [] };
      if (setext) i += 1;
      continue;
    }
    if (/^\s{0,3}([-*_])(\s*\1){2,}\s*$/.test(line)) continue; // horizontal rule
    if (/^\s*\|?\s*:?-{3,}:?\s*(\|\s*:?-{3,}:?\s*)*\|?\s*$/.test(line)) continue; // table separator
    current.lines.push(stripBlock(line));
  }
  flush();
  return sections;
}

function stripBlock(line: string): string {
  let out = line
    .replace(/^\s{0,3}(>\s?)+/, '') // blockquote
    .replace(/^(\s*)([-*+]|\d+[.)])\s+(\[[ xX]\]\s+)?/, '$1'); // list marker, task box
  if (/^\s*\|.*\|\s*$/.test(out)) {
    out = out
      .trim()
      .replace(/^\||\|$/g, '')
      .split('|')
      .map((cell) => cell.trim())
      .join('  ');
  }
  return stripInline(out);
}

function stripInline(text: string): string {
  return text
    .replace(/!\[([^\]]*)\]\([^)]*\)/g, '$1') // image → alt
    .replace(/\[([^\]]+)\]\([^)]*\)/g, '$1') // link → text
    .replace(/\[([^\]]+)\]\[[^\]]*\]/g, '$1') // reference link
    .replace(/^\s*\[[^\]]+\]:\s+\S+.*$/, '') // link definition
    .replace(/<\/?[a-zA-Z][^>]*>/g, '') // inline HTML
    .replace(/`([^`]+)`/g, '$1')
    .replace(/(\*\*|__)(?=\S)(.+?)(?<=\S)\1/g, '$2')
    .replace(/(\*|_)(?=\S)(.+?)(?<=\S)\1/g, '$2')
    .replace(/~~(.+?)~~/g, '$1')
    .replace(/\\([\\`*_{}[\]()#+\-.!|>])/g, '$1');
}

// ---------------------------------------------------------------- html

// A private-use character cannot occur in extracted text worth keeping, so it
// safely marks where a heading starts after html-to-text has flattened the DOM.
const HEADING_MARK = '\uE000';

const HTML_OPTIONS = {
  wordwrap: false as const,
  formatters: {
    sectionHeading(elem: { children: unknown[] }, walk: (nodes: unknown[], builder: unknown) => void, builder: BlockBuilder) {
      builder.openBlock({ leadingLineBreaks: 2 });
      builder.addLiteral(HEADING_MARK);
      walk(elem.children, builder);
      builder.closeBlock({ trailingLineBreaks: 2 });
    },
  },
  selectors: [
    ...['h1', 'h2', 'h3', 'h4', 'h5', 'h6'].map((selector) => ({ selector, format: 'sectionHeading' })),
    { selector: 'a', options: { ignoreHref: true } },
    { selector: 'img', format: 'skip' },
    { selector: 'script', format: 'skip' },
    { selector: 'style', format: 'skip' },
    { selector: 'noscript', format: 'skip' },
    { selector: 'template', format: 'skip' },
    { selector: 'head', format: 'skip' },
    { selector: 'table', format: 'dataTable', options: { uppercaseHeaderCells: false } },
    { selector: 'ul', options: { itemPrefix: ' - ' } },
  ],
};

interface BlockBuilder {
  openBlock(options: { leadingLineBreaks: number }): void;
  addLiteral(text: string): void;
  closeBlock(options: { trailingLineBreaks: number }): void;
}

/** HTML → plain text (html-to-text), split into sections at h1–h6. */
export function htmlToSections(html: string): Section[] {
  // The formatter signature in @types/html-to-text is wider than what we use; the cast is local to this call.
  const text = convert(html, HTML_OPTIONS as unknown as Parameters<typeof convert>[1]);
  const sections: Section[] = [];
  let current: { title: string; lines: string[] } = { title: '', lines: [] };
  const flush = () => {
    const body = tidyText(current.lines.join('\n'));
    if (current.title || body) sections.push({ title: current.title, text: body });
  };
  for (const line of text.split('\n')) {
    const at = line.indexOf(HEADING_MARK);
    if (at >= 0) {
      const before = line.slice(0, at).trim();
      if (before) current.lines.push(before);
      flush();
      current = { title: line.slice(at + 1).replaceAll(HEADING_MARK, '').trim(), lines: [] };
    } else {
      current.lines.push(line);
    }
  }
  flush();
  return sections;
}

// ---------------------------------------------------------------- plain text

/**
 * Plain text has no markup, so only unambiguous headings are recognised: a short
 * line followed by a line of `=` or `-` (setext style). Anything else is one section.
 */
export function plainTextSections(text: string): Section[] {
  const lines = text.replace(/\r\n?/g, '\n').split('\n');
  const sections: Section[] = [];
  let current: { title: string; lines: string[] } = { title: '', lines: [] };
  const flush = () => {
    const body = tidyText(current.lines.join('\n'));
    if (current.title || body) sections.push({ title: current.title, text: body });
  };
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] as string;
    const next = lines[i + 1];
    if (line.trim() && line.trim().length <= 80 && next !== undefined && /^\s*(={3,}|-{3,})\s*$/.test(next)) {
      flush();
      current = { title: line.trim(), lines: [] };
      i += 1;
      continue;
    }
    current.lines.push(line);
  }
  flush();
  return sections;
}
