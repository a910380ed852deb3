import { extname } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CORRUPT_SAMPLE_FILES, SAMPLES } from '../corpus/sample-catalog.ts';
import { readSampleDocuments } from '../corpus/samples.ts';
import { countTokens } from './chunking.ts';
import {
  CorruptDocumentError,
  createParseModel,
  DEFAULT_PARSE_CONFIG,
  DocumentTooLargeError,
  detectFormat,
  PARSER_LIBRARIES,
  UnsupportedFormatError,
} from './parse.ts';

const FORMAT_BY_EXTENSION: Record<string, string> = { '.pdf': 'pdf', '.docx': 'docx', '.html': 'html', '.md': 'markdown', '.txt': 'text' };
const samples = await readSampleDocuments();
const parse = createParseModel();

describe('parse stage on the sample corpus', () => {
  it('has at least 22 samples covering every format, under 2 MB in total', () => {
    expect(samples.length).toBeGreaterThanOrEqual(22);
    expect(new Set(samples.map((s) => extname(s.filename)))).toEqual(new Set(Object.keys(FORMAT_BY_EXTENSION)));
    expect(samples.reduce((sum, s) => sum + s.content.byteLength, 0)).toBeLessThan(2 * 1024 * 1024);
  });

  const good = samples.filter((s) => !CORRUPT_SAMPLE_FILES.includes(s.filename));
  it.each(good.map((s) => [s.filename, s] as const))('parses %s', async (_name, sample) => {
    const { output, usage } = await parse.invoke(sample);
    expect(output.document_id).toBe(sample.document_id);
    expect(output.format).toBe(FORMAT_BY_EXTENSION[extname(sample.filename)]);
    expect(output.text.length).toBeGreaterThan(200);
    expect(output.pages).toBeGreaterThanOrEqual(1);
    expect(output.sections.length).toBeGreaterThanOrEqual(1);
    expect(output.chunks.length).toBeGreaterThanOrEqual(1);
    output.chunks.forEach((chunk, i) => {
      expect(chunk.index).toBe(i);
      expect(chunk.tokens).toBeLessThanOrEqual(DEFAULT_PARSE_CONFIG.chunk_max_tokens);
      expect(chunk.tokens).toBe(countTokens(chunk.text));
    });
    expect(usage).toEqual({ input_tokens: countTokens(output.text), pages: output.pages });
    // The title survives extraction in every format (markup stripped, not content).
    const spec = SAMPLES.find((s) => s.file === sample.filename);
    expect(output.text).toContain(spec?.doc.title);
  });

  it.each(CORRUPT_SAMPLE_FILES.map((f) => [f]))('rejects %s with CorruptDocumentError', async (file) => {
    const sample = samples.find((s) => s.filename === file);
    expect(sample).toBeDefined();
    const error = await parse.invoke(sample as (typeof samples)[number]).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CorruptDocumentError);
    expect((error as CorruptDocumentError).code).toBe('corrupt_document');
    expect((error as CorruptDocumentError).format).toBe('pdf');
    expect((error as Error).message).toContain(file);
  });

  it('keeps PII-shaped values intact for the redaction step', async () => {
    const invoice = samples.find((s) => s.filename === 'finance-invoice-4471.html');
    const { output } = await parse.invoke(invoice as (typeof samples)[number]);
    expect(output.text).toContain('4111 1111 1111 1111');
    expect(output.text).toContain('GB82WEST12345698765432');
    expect(output.text).toContain('billing@example.com');
  });

  it('splits multi-page PDFs into pages', async () => {
    const report = samples.find((s) => s.filename === 'finance-q3-earnings-report.pdf');
    const { output, usage } = await parse.invoke(report as (typeof samples)[number]);
    expect(output.pages).toBe(4);
    expect(usage?.pages).toBe(4);
    expect(output.sections.map((s) => s.title)).toEqual(['Page 1', 'Page 2', 'Page 3', 'Page 4']);
    expect(output.text).not.toContain('Page 1'); // page titles are ours, not the document's text
  });

  it('keeps DOCX headings as sections', async () => {
    const letter = samples.find((s) => s.filename === 'hr-offer-letter.docx');
    const { output } = await parse.invoke(letter as (typeof samples)[number]);
    expect(output.sections.map((s) => s.title)).toEqual([
      'Offer of Employment',
      'Compensation and benefits',
      'Your details on file',
      'Next steps',
    ]);
  });
});

describe('parse stage formats', () => {
  it('strips Markdown syntax and keeps headings as sections', async () => {
    const markdown = [
      '---',
      'title: front matter is dropped',
      '---',
      'Intro with **bold**, _emphasis_, `code` and a [link](https://example.com/x).',
      '',
      '# First heading',
      '',
      '- item one',
      '- [x] done item',
      '',
      '```ts',
      'const kept = true;',
      '```',
      '',
      'Second heading',
      '--------------',
      '',
      '> quoted ![alt text](img.png)',
      '',
      '| a | b |',
      '|---|---|',
      '| 1 | 2 |',
    ].join('\n');
    const { output } = await parse.invoke({ document_id: 'md-1', filename: 'x.md', content: markdown });
    expect(output.format).toBe('markdown');
    expect(output.sections.map((s) => s.title)).toEqual(['', 'First heading', 'Second heading']);
    expect(output.sections[0]?.text).toBe('Intro with bold, emphasis, code and a link.');
    expect(output.sections[1]?.text).toBe('item one\ndone item\n\nconst kept = true;');
    expect(output.sections[2]?.text).toBe('quoted alt text\n\na  b\n1  2');
    expect(output.text).not.toMatch(/[*_`#|]|https:|front matter/);
  });

  it('drops scripts and styles from HTML and splits at headings', async () => {
    const html =
      '<html><head><title>T</title><style>p{color:red}</style></head><body>' +
      '<script>alert("x")</script><p>Lead paragraph.</p><h2>Details</h2><p>Body <a href="https://e.com">link</a>.</p></body></html>';
    const { output } = await parse.invoke({ document_id: 'html-1', content: html, format: 'html' });
    expect(output.sections).toEqual([
      { title: '', text: 'Lead paragraph.' },
      { title: 'Details', text: 'Body link.' },
    ]);
  });

  it('detects formats from extension, then magic bytes', () => {
    const bytes = (s: string) => new TextEncoder().encode(s);
    expect(detectFormat({ document_id: 'a', filename: 'A.PDF', content: bytes('x') })).toBe('pdf');
    expect(detectFormat({ document_id: 'a', content: bytes('%PDF-1.7 ...') })).toBe('pdf');
    expect(detectFormat({ document_id: 'a', content: bytes('PK\x03\x04...') })).toBe('docx');
    expect(detectFormat({ document_id: 'a', content: '<!DOCTYPE html><p>x</p>' })).toBe('html');
    expect(detectFormat({ document_id: 'a', content: 'just words' })).toBe('text');
  });

  it('rejects unsupported formats with a message naming what is supported', async () => {
    const error = await parse
      .invoke({ document_id: 'x-1', filename: 'sheet.xlsx', content: new Uint8Array([80, 75, 3, 4]) })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UnsupportedFormatError);
    expect((error as Error).message).toMatch(/'\.xlsx' files are not supported; supported extensions are .*\.pdf/);
  });

  it('rejects a file that claims a format it is not', async () => {
    const notZip = parse.invoke({ document_id: 'd-1', filename: 'letter.docx', content: new TextEncoder().encode('hello') });
    await expect(notZip).rejects.toThrow(CorruptDocumentError);
    const badZip = parse.invoke({ document_id: 'd-2', filename: 'letter.docx', content: new Uint8Array([80, 75, 3, 4, 0, 0, 0]) });
    await expect(badZip).rejects.toThrow(/could not be read as DOCX/);
    const notPdf = parse.invoke({ document_id: 'p-1', filename: 'scan.pdf', content: new TextEncoder().encode('GIF89a') });
    await expect(notPdf).rejects.toThrow(/no %PDF- header/);
    const badUtf8 = parse.invoke({ document_id: 't-1', filename: 'notes.txt', content: new Uint8Array([0x68, 0xff, 0xfe, 0x69]) });
    await expect(badUtf8).rejects.toThrow(/not valid UTF-8/);
  });

  it('refuses documents above max_bytes before parsing', async () => {
    const small = createParseModel({ max_bytes: 10 });
    await expect(small.invoke({ document_id: 'big-1', filename: 'a.txt', content: 'x'.repeat(11) })).rejects.toThrow(DocumentTooLargeError);
  });

  it('returns no chunks for an empty document instead of failing', async () => {
    const { output, usage } = await parse.invoke({ document_id: 'empty-1', filename: 'empty.txt', content: '' });
    expect(output.chunks).toEqual([]);
    expect(usage?.input_tokens).toBe(0);
  });
});

describe('parse model identity and knobs', () => {
  it('names the parser library versions it runs with', () => {
    expect(parse.identity).toMatchObject({ name: 'frostbyte-docparse', version: '1.0.0', stage: 'parse' });
    expect(parse.identity.config.libraries).toEqual(PARSER_LIBRARIES);
    expect(PARSER_LIBRARIES.unpdf).toMatch(/^\d+\.\d+\.\d+/);
    expect(PARSER_LIBRARIES.mammoth).toMatch(/^\d+\.\d+\.\d+/);
  });

  it('adds delay_ms of latency and stops waiting when aborted', async () => {
    const slow = createParseModel({ delay_ms: 60 });
    const started = performance.now();
    await slow.invoke({ document_id: 'slow-1', content: 'some text', format: 'text' });
    expect(performance.now() - started).toBeGreaterThanOrEqual(55);

    const controller = new AbortController();
    const pending = createParseModel({ delay_ms: 10_000 }).invoke({ document_id: 'slow-2', content: 'x', format: 'text' }, controller.signal);
    controller.abort(new Error('run cancelled'));
    await expect(pending).rejects.toThrow('run cancelled');
  });
});
