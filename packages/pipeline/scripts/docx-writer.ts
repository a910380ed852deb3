import { type Zippable, zipSync } from 'fflate';
import type { RichDocument } from '../src/corpus/render.ts';

/**
 * A minimal WordprocessingML (.docx) writer: the parts Word and mammoth need
 * (content types, package and document relationships, styles with the built-in
 * "heading 1/2" names so headings survive conversion, core properties) zipped
 * with a fixed timestamp so the output is byte-for-byte reproducible.
 *
 * Lives under scripts/ because it is only used to make the committed samples
 * (fflate is a dev dependency).
 */

const W_NS = 'http://schemas.openxmlformats.org/wordprocessingml/2006/main';
const FIXED_MTIME = new Date('2024-01-01T00:00:00Z');

export function renderDocx(doc: RichDocument, meta: { creator?: string } = {}): Uint8Array {
  const body: string[] = [paragraph(doc.title, 'Title')];
  for (const block of doc.blocks) {
    switch (block.kind) {
      case 'heading':
        body.push(paragraph(block.text, block.level === 1 ? 'Heading1' : 'Heading2'));
        break;
      case 'paragraph':
        body.push(paragraph(block.text));
        break;
      case 'list':
        for (const item of block.items) body.push(paragraph(`\u2022 ${item}`, 'ListParagraph'));
        break;
      case 'table':
        body.push(table(block.rows));
        break;
    }
  }
  const files: Record<string, string> = {
    '[Content_Types].xml': xml(
      '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">' +
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>' +
        '<Default Extension="xml" ContentType="application/xml"/>' +
        '<Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/>' +
        '<Override PartName="/word/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.styles+xml"/>' +
        '<Override PartName="/docProps/core.xml" ContentType="application/vnd.openxmlformats-package.core-properties+xml"/>' +
        '</Types>',
    ),
    '_rels/.rels': xml(
      '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">' +
        '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/>' +
        '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/package/2006/relationships/metadata/core-properties" Target="docProps/core.xml"/>' +
        '</Relationships>',
    ),
    'word/_rels/document.xml.rels': xml(
      '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">' +
        '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/>' +
        '</Relationships>',
    ),
    'word/styles.xml': xml(
      `<w:styles xmlns:w="${W_NS}">` +
        style('Normal', 'Normal', '<w:rPr><w:sz w:val="22"/></w:rPr>') +
        style('Title', 'Title', '<w:rPr><w:b/><w:sz w:val="36"/></w:rPr>') +
        style('Heading1', 'heading 1', '<w:pPr><w:outlineLvl w:val="0"/></w:pPr><w:rPr><w:b/><w:sz w:val="28"/></w:rPr>') +
        style('Heading2', 'heading 2', '<w:pPr><w:outlineLvl w:val="1"/></w:pPr><w:rPr><w:b/><w:sz w:val="24"/></w:rPr>') +
        style('ListParagraph', 'List Paragraph', '<w:pPr><w:ind w:left="720"/></w:pPr>') +
        '</w:styles>',
    ),
    'word/document.xml': xml(`<w:document xmlns:w="${W_NS}"><w:body>${body.join('')}<w:sectPr/></w:body></w:document>`),
    'docProps/core.xml': xml(
      '<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" ' +
        'xmlns:dc="http://purl.org/dc/elements/1.1/">' +
        `<dc:title>${escapeXml(doc.title)}</dc:title><dc:creator>${escapeXml(meta.creator ?? 'frostbyte make-samples')}</dc:creator>` +
        '</cp:coreProperties>',
    ),
  };
  const encoder = new TextEncoder();
  const entries: Zippable = {};
  for (const [name, content] of Object.entries(files)) entries[name] = [encoder.encode(content), { mtime: FIXED_MTIME }];
  return zipSync(entries, { level: 6, mtime: FIXED_MTIME });
}

function xml(root: string): string {
  return `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n${root}`;
}

function style(id: string, name: string, props: string): string {
  return `<w:style w:type="paragraph" w:styleId="${id}"><w:name w:val="${name}"/>${props}</w:style>`;
}

function paragraph(text: string, styleId?: string): string {
  const pPr = styleId ? `<w:pPr><w:pStyle w:val="${styleId}"/></w:pPr>` : '';
  return `<w:p>${pPr}<w:r><w:t xml:space="preserve">${escapeXml(text)}</w:t></w:r></w:p>`;
}

function table(rows: readonly string[][]): string {
  const trs = rows.map((row) => `<w:tr>${row.map((cell) => `<w:tc><w:tcPr/>${paragraph(cell)}</w:tc>`).join('')}</w:tr>`);
  return `<w:tbl><w:tblPr><w:tblW w:w="0" w:type="auto"/></w:tblPr>${trs.join('')}</w:tbl>`;
}

function escapeXml(text: string): string {
  return text.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c] as string);
}
