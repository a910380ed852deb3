import { readdir, readFile } from 'node:fs/promises';
import { extname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The committed sample corpus, resolved from this file so it works from any working directory. */
export const SAMPLE_DOCUMENTS_DIR = fileURLToPath(new URL('../../../../samples/documents/', import.meta.url));

const DOCUMENT_EXTENSIONS = new Set(['.pdf', '.docx', '.html', '.htm', '.md', '.markdown', '.txt']);

export interface SampleDocument {
  /** The file name without extension: stable across runs, so traces of the same sample line up. */
  document_id: string;
  filename: string;
  content: Uint8Array;
}

/** Reads every document file in `dir` (sorted by name); other files are ignored. */
export async function readSampleDocuments(dir: string = SAMPLE_DOCUMENTS_DIR): Promise<SampleDocument[]> {
  const names = (await readdir(dir)).filter((name) => DOCUMENT_EXTENSIONS.has(extname(name).toLowerCase())).sort();
  return Promise.all(
    names.map(async (filename) => ({
      document_id: filename.slice(0, -extname(filename).length),
      filename,
      content: new Uint8Array(await readFile(join(dir, filename))),
    })),
  );
}
