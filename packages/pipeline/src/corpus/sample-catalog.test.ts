import { readFile } from 'node:fs/promises';
import { extname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { renderDocx } from '../../scripts/docx-writer.ts';
import { renderPdf } from './pdf-writer.ts';
import { renderHtml, renderMarkdown, renderText } from './render.ts';
import { CORRUPT_SAMPLE_FILES, SAMPLES } from './sample-catalog.ts';
import { readSampleDocuments, SAMPLE_DOCUMENTS_DIR } from './samples.ts';

describe('committed sample corpus', () => {
  it('has exactly the catalogued files', async () => {
    const files = (await readSampleDocuments()).map((s) => s.filename).sort();
    expect(files).toEqual([...SAMPLES.map((s) => s.file), ...CORRUPT_SAMPLE_FILES].sort());
  });

  // Fails when someone edits the catalogue without running scripts/make-samples.ts (or edits a sample by hand).
  it.each(SAMPLES.map((s) => [s.file, s] as const))('%s matches its catalogue entry', async (file, sample) => {
    const committed = await readFile(join(SAMPLE_DOCUMENTS_DIR, file));
    const ext = extname(file);
    const expected =
      ext === '.pdf'
        ? renderPdf(sample.doc, { break_before_h1: sample.break_before_h1 ?? false, producer: 'frostbyte make-samples' })
        : ext === '.docx'
          ? renderDocx(sample.doc)
          : new TextEncoder().encode(ext === '.html' ? renderHtml(sample.doc) : ext === '.md' ? renderMarkdown(sample.doc) : renderText(sample.doc));
    expect(Buffer.from(expected).equals(committed)).toBe(true);
  });

  it('covers every topic, and PII appears in some samples but not all', () => {
    expect(new Set(SAMPLES.map((s) => s.topic))).toEqual(new Set(['finance', 'legal', 'medical', 'hr', 'engineering', 'general']));
    const withPii = SAMPLES.filter((s) => s.pii.length > 0).length;
    expect(withPii).toBeGreaterThan(5);
    expect(withPii).toBeLessThan(SAMPLES.length - 5);
  });
});

describe('pdf writer', () => {
  it('writes an xref table whose offsets point at their objects', () => {
    const pdf = Buffer.from(renderPdf({ title: 'Offsets (check)', blocks: [{ kind: 'paragraph', text: 'Back\\slash and (parens).' }] })).toString('latin1');
    const xrefAt = Number(/startxref\n(\d+)\n%%EOF\n$/.exec(pdf)?.[1]);
    expect(pdf.slice(xrefAt, xrefAt + 4)).toBe('xref');
    const [, countText] = /^xref\n0 (\d+)\n/.exec(pdf.slice(xrefAt)) ?? [];
    const entries = pdf.slice(xrefAt).split('\n').slice(3, 2 + Number(countText));
    entries.forEach((entry, i) => {
      const offset = Number(entry.slice(0, 10));
      expect(pdf.slice(offset, offset + `${i + 1} 0 obj`.length)).toBe(`${i + 1} 0 obj`);
    });
  });
});
