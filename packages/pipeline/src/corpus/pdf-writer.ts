import { type RichDocument, tableLines } from './render.ts';

/**
 * A minimal, valid PDF 1.4 writer for text documents: US Letter pages, the
 * standard Helvetica fonts (no embedding needed), one positioned text line per
 * wrapped line, automatic pagination, and a cross-reference table with exact
 * byte offsets. Enough for real PDF readers (pdf.js, poppler) to extract the text.
 *
 * Text must be representable in WinAnsi; other characters become '?'.
 */

const PAGE_WIDTH = 612;
const PAGE_HEIGHT = 792;
const MARGIN = 72;

interface Line {
  font: 'F1' | 'F2';
  size: number;
  /** Baseline, in points from the bottom of the page. */
  y: number;
  text: string;
}

const BODY = { font: 'F1', size: 11, leading: 15, chars: 88 } as const;
const HEADING = { font: 'F2', size: 14, leading: 22, chars: 60 } as const;
const TITLE = { font: 'F2', size: 18, leading: 28, chars: 48 } as const;

export interface PdfOptions {
  /** Force a page break before every level-1 heading (useful for multi-page samples). */
  break_before_h1?: boolean;
  /** Written to the document information dictionary. */
  producer?: string;
}

export function renderPdf(doc: RichDocument, options: PdfOptions = {}): Uint8Array {
  const pages = layout(doc, options);
  const objects: string[] = [];
  // Object numbers are fixed for the header objects; pages follow in pairs (page, content).
  const catalog = 1;
  const pagesObj = 2;
  const fontRegular = 3;
  const fontBold = 4;
  const info = 5;
  const firstPage = 6;
  const pageRefs = pages.map((_, i) => `${firstPage + i * 2} 0 R`);

  objects[catalog] = `<< /Type /Catalog /Pages ${pagesObj} 0 R >>`;
  objects[pagesObj] = `<< /Type /Pages /Kids [${pageRefs.join(' ')}] /Count ${pages.length} >>`;
  objects[fontRegular] = '<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>';
  objects[fontBold] = '<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica-Bold /Encoding /WinAnsiEncoding >>';
  objects[info] = `<< /Title ${pdfString(doc.title)} /Producer ${pdfString(options.producer ?? 'frostbyte pdf-writer')} >>`;
  pages.forEach((lines, i) => {
    const pageObj = firstPage + i * 2;
    const contentObj = pageObj + 1;
    const stream = contentStream(lines);
    objects[pageObj] =
      `<< /Type /Page /Parent ${pagesObj} 0 R /MediaBox [0 0 ${PAGE_WIDTH} ${PAGE_HEIGHT}] ` +
      `/Resources << /Font << /F1 ${fontRegular} 0 R /F2 ${fontBold} 0 R >> >> /Contents ${contentObj} 0 R >>`;
    objects[contentObj] = `<< /Length ${latin1Length(stream)} >>\nstream\n${stream}\nendstream`;
  });

  // Offsets are byte offsets; every string here is Latin-1, so one char = one byte.
  let out = '%PDF-1.4\n%\u00e2\u00e3\u00cf\u00d3\n';
  const offsets: number[] = [];
  for (let n = 1; n < objects.length; n++) {
    offsets[n] = latin1Length(out);
    out += `${n} 0 obj\n${objects[n]}\nendobj\n`;
  }
  const xrefOffset = latin1Length(out);
  out += `xref\n0 ${objects.length}\n0000000000 65535 f \n`;
  for (let n = 1; n < objects.length; n++) out += `${String(offsets[n]).padStart(10, '0')} 00000 n \n`;
  out += `trailer\n<< /Size ${objects.length} /Root ${catalog} 0 R /Info ${info} 0 R >>\nstartxref\n${xrefOffset}\n%%EOF\n`;
  return new Uint8Array(Buffer.from(out, 'latin1'));
}

function layout(doc: RichDocument, options: PdfOptions): Line[][] {
  const pages: Line[][] = [[]];
  let y = PAGE_HEIGHT - MARGIN;
  const newPage = () => {
    pages.push([]);
    y = PAGE_HEIGHT - MARGIN;
  };
  const push = (style: { font: 'F1' | 'F2'; size: number; leading: number; chars: number }, text: string) => {
    for (const line of wrap(text, style.chars)) {
      if (y - style.leading < MARGIN) newPage();
      y -= style.leading;
      (pages[pages.length - 1] as Line[]).push({ font: style.font, size: style.size, y, text: line });
    }
  };
  const gap = (points: number) => {
    y -= points;
  };
  push(TITLE, doc.title);
  for (const block of doc.blocks) {
    switch (block.kind) {
      case 'heading':
        if (block.level === 1 && options.break_before_h1 && (pages[pages.length - 1] as Line[]).length > 0) newPage();
        else gap(6);
        push(block.level === 1 ? HEADING : { ...HEADING, size: 12, leading: 18 }, block.text);
        break;
      case 'paragraph':
        push(BODY, block.text);
        gap(6);
        break;
      case 'list':
        for (const item of block.items) push(BODY, `- ${item}`);
        gap(6);
        break;
      case 'table':
        for (const row of tableLines(block.rows)) push(BODY, row);
        gap(6);
        break;
    }
  }
  return pages;
}

/** Each line is placed absolutely with Tm, so a reader never has to infer line breaks. */
function contentStream(lines: Line[]): string {
  const ops = ['BT'];
  for (const line of lines) {
    ops.push(`/${line.font} ${line.size} Tf`, `1 0 0 1 ${MARGIN} ${line.y} Tm`, `${pdfString(line.text)} Tj`);
  }
  ops.push('ET');
  return ops.join('\n');
}

function wrap(text: string, width: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(/\s+/).filter(Boolean)) {
    if (line && line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else {
      line = line ? `${line} ${word}` : word;
    }
  }
  if (line) lines.push(line);
  return lines;
}

function pdfString(text: string): string {
  // WinAnsi covers Latin-1 for our purposes; anything else is replaced rather than mis-encoded.
  const latin = text.replace(/[^\x20-\x7e\u00a0-\u00ff]/g, '?');
  return `(${latin.replace(/[\\()]/g, (c) => `\\${c}`)})`;
}

function latin1Length(text: string): number {
  return text.length;
}
