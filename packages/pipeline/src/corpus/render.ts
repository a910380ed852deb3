/**
 * One small document model rendered to every format the parse stage reads, so
 * the committed samples and the load generator's documents say the same thing
 * in Markdown, HTML, plain text, PDF (`pdf-writer.ts`) and DOCX
 * (`scripts/docx-writer.ts`).
 */

export type Block =
  | { kind: 'heading'; level: 1 | 2; text: string }
  | { kind: 'paragraph'; text: string }
  | { kind: 'list'; items: string[] }
  | { kind: 'table'; rows: string[][] };

export interface RichDocument {
  title: string;
  blocks: Block[];
}

export function renderMarkdown(doc: RichDocument): string {
  const out: string[] = [`# ${doc.title}`];
  for (const block of doc.blocks) {
    switch (block.kind) {
      case 'heading':
        out.push(`${'#'.repeat(block.level + 1)} ${block.text}`);
        break;
      case 'paragraph':
        out.push(block.text);
        break;
      case 'list':
        out.push(block.items.map((item) => `- ${item}`).join('\n'));
        break;
      case 'table': {
        const [head = [], ...rows] = block.rows;
        out.push(
          [`| ${head.join(' | ')} |`, `| ${head.map(() => '---').join(' | ')} |`, ...rows.map((row) => `| ${row.join(' | ')} |`)].join(
            '\n',
          ),
        );
        break;
      }
    }
  }
  return `${out.join('\n\n')}\n`;
}

export function renderHtml(doc: RichDocument): string {
  const body: string[] = [`<h1>${escapeHtml(doc.title)}</h1>`];
  for (const block of doc.blocks) {
    switch (block.kind) {
      case 'heading':
        body.push(`<h${block.level + 1}>${escapeHtml(block.text)}</h${block.level + 1}>`);
        break;
      case 'paragraph':
        body.push(`<p>${escapeHtml(block.text)}</p>`);
        break;
      case 'list':
        body.push(`<ul>\n${block.items.map((item) => `  <li>${escapeHtml(item)}</li>`).join('\n')}\n</ul>`);
        break;
      case 'table': {
        const [head = [], ...rows] = block.rows;
        const th = head.map((cell) => `<th>${escapeHtml(cell)}</th>`).join('');
        const trs = rows.map((row) => `    <tr>${row.map((cell) => `<td>${escapeHtml(cell)}</td>`).join('')}</tr>`);
        body.push(`<table>\n  <thead><tr>${th}</tr></thead>\n  <tbody>\n${trs.join('\n')}\n  </tbody>\n</table>`);
        break;
      }
    }
  }
  return [
    '<!doctype html>',
    '<html lang="en">',
    '<head>',
    '<meta charset="utf-8">',
    `<title>${escapeHtml(doc.title)}</title>`,
    '<style>body { font-family: sans-serif; max-width: 48rem; margin: 2rem auto; } td, th { padding: 0.25rem 0.75rem; }</style>',
    '</head>',
    '<body>',
    ...body,
    '</body>',
    '</html>',
    '',
  ].join('\n');
}

/** Plain text with setext-underlined headings (the only headings the parse stage recognises in text). */
export function renderText(doc: RichDocument): string {
  const out: string[] = [`${doc.title}\n${'='.repeat(doc.title.length)}`];
  for (const block of doc.blocks) {
    switch (block.kind) {
      case 'heading':
        out.push(`${block.text}\n${(block.level === 1 ? '=' : '-').repeat(block.text.length)}`);
        break;
      case 'paragraph':
        out.push(block.text);
        break;
      case 'list':
        out.push(block.items.map((item) => `* ${item}`).join('\n'));
        break;
      case 'table':
        out.push(tableLines(block.rows).join('\n'));
        break;
    }
  }
  return `${out.join('\n\n')}\n`;
}

/** Rows as left-aligned columns separated by two spaces. */
export function tableLines(rows: readonly string[][]): string[] {
  const widths: number[] = [];
  for (const row of rows) {
    row.forEach((cell, i) => {
      widths[i] = Math.max(widths[i] ?? 0, cell.length);
    });
  }
  return rows.map((row) => row.map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(widths[i] ?? 0))).join('  '));
}

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
