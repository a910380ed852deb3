/**
 * Regenerates the committed sample corpus in samples/documents/ from
 * src/corpus/sample-catalog.ts, then checks every file with the real parse stage.
 *
 *   npx tsx packages/pipeline/scripts/make-samples.ts [--check]
 *
 * Output is deterministic (fixed zip timestamps, seeded corruption), so running
 * it again on an unchanged catalogue leaves git with nothing to commit.
 * `--check` writes nothing and fails if a committed file differs from what the
 * catalogue would produce.
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { extname, join } from 'node:path';
import { renderPdf } from '../src/corpus/pdf-writer.ts';
import { renderHtml, renderMarkdown, renderText } from '../src/corpus/render.ts';
import { CORRUPT_SAMPLE_FILES, SAMPLES, type SampleSpec } from '../src/corpus/sample-catalog.ts';
import { readSampleDocuments, SAMPLE_DOCUMENTS_DIR } from '../src/corpus/samples.ts';
import { CorruptDocumentError, createParseModel } from '../src/stages/parse.ts';
import { renderDocx } from './docx-writer.ts';

function render(sample: SampleSpec): Uint8Array {
  const encoder = new TextEncoder();
  switch (extname(sample.file)) {
    case '.pdf':
      return renderPdf(sample.doc, { break_before_h1: sample.break_before_h1 ?? false, producer: 'frostbyte make-samples' });
    case '.docx':
      return renderDocx(sample.doc);
    case '.html':
      return encoder.encode(renderHtml(sample.doc));
    case '.md':
      return encoder.encode(renderMarkdown(sample.doc));
    case '.txt':
      return encoder.encode(renderText(sample.doc));
    default:
      throw new Error(`sample ${sample.file}: no renderer for its extension`);
  }
}

/**
 * A "scan" that was cut off in transfer: a real PDF header and the first object,
 * then seeded garbage, and no xref, trailer or %%EOF. pdf.js cannot rebuild a
 * document catalog from it, so the parse stage must report it as corrupt.
 */
function corruptScan(): Uint8Array {
  const valid = renderPdf({ title: 'Scanned document', blocks: [{ kind: 'paragraph', text: 'Page image follows.' }] });
  const head = valid.subarray(0, 48); // "%PDF-1.4", binary comment, start of "1 0 obj"
  let seed = 0x5eed;
  const garbage = new Uint8Array(2048).map(() => {
    seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
    return seed >>> 24;
  });
  const out = new Uint8Array(head.length + garbage.length);
  out.set(head);
  out.set(garbage, head.length);
  return out;
}

async function main(): Promise<void> {
  const check = process.argv.includes('--check');
  const files = new Map<string, Uint8Array>(SAMPLES.map((sample) => [sample.file, render(sample)]));
  files.set('corrupt-scan.pdf', corruptScan());

  await mkdir(SAMPLE_DOCUMENTS_DIR, { recursive: true });
  let stale = 0;
  for (const [file, bytes] of files) {
    const path = join(SAMPLE_DOCUMENTS_DIR, file);
    if (check) {
      const committed = await readFile(path).catch(() => undefined);
      if (!committed || !Buffer.from(bytes).equals(committed)) {
        stale += 1;
        console.error(`stale: ${file}`);
      }
    } else {
      await writeFile(path, bytes);
    }
  }

  // Every file must go through the real parse stage the way the pipeline will see it.
  const parse = createParseModel();
  let total = 0;
  let problems = 0;
  for (const sample of await readSampleDocuments()) {
    total += sample.content.byteLength;
    try {
      const { output } = await parse.invoke(sample);
      const corruptExpected = CORRUPT_SAMPLE_FILES.includes(sample.filename);
      if (corruptExpected) problems += 1;
      console.log(
        `${corruptExpected ? 'UNEXPECTED OK' : 'ok'}  ${sample.filename.padEnd(40)} ${output.format.padEnd(8)} ` +
          `pages=${output.pages} sections=${output.sections.length} chunks=${output.chunks.length}`,
      );
    } catch (error) {
      const expected = error instanceof CorruptDocumentError && CORRUPT_SAMPLE_FILES.includes(sample.filename);
      if (!expected) problems += 1;
      console.log(`${expected ? 'ok (corrupt as intended)' : 'FAILED'}  ${sample.filename}: ${(error as Error).message}`);
    }
  }
  console.log(`${files.size} files, ${(total / 1024).toFixed(1)} KiB in ${SAMPLE_DOCUMENTS_DIR}`);
  if (problems > 0 || stale > 0) process.exitCode = 1;
}

await main();
