/**
 * Builds the document-frequency table of the local embedder
 * (src/stages/hash-tfidf-df.json) from the sample corpus, using the real parse
 * stage and the embedder's own tokenisation.
 *
 *   npx tsx packages/pipeline/scripts/build-idf-table.ts
 *
 * The table is part of the embedder's behaviour: after rebuilding it, bump
 * LOCAL_EMBEDDER_VERSION in src/stages/embed.ts (the table digest in the
 * identity config changes either way, so traces show which table was used).
 */
import { writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { CORRUPT_SAMPLE_FILES } from '../src/corpus/sample-catalog.ts';
import { readSampleDocuments } from '../src/corpus/samples.ts';
import { type DocumentFrequencyTable, embeddingTerms } from '../src/stages/hash-tfidf.ts';
import { createParseModel } from '../src/stages/parse.ts';

const OUTPUT = fileURLToPath(new URL('../src/stages/hash-tfidf-df.json', import.meta.url));
const MIN_DF = 2;

const parse = createParseModel();
const df = new Map<string, number>();
let documents = 0;
for (const sample of await readSampleDocuments()) {
  if (CORRUPT_SAMPLE_FILES.includes(sample.filename)) continue;
  const { output } = await parse.invoke(sample);
  documents += 1;
  for (const term of new Set(embeddingTerms(output.text))) df.set(term, (df.get(term) ?? 0) + 1);
}
const kept = [...df].filter(([, n]) => n >= MIN_DF).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
const table: DocumentFrequencyTable = { source: 'samples/documents', documents, df: Object.fromEntries(kept) };
await writeFile(OUTPUT, `${JSON.stringify(table, null, 1)}\n`);
console.log(`${documents} documents, ${kept.length} terms with df >= ${MIN_DF} → ${OUTPUT}`);
