import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createOutputModel, InvalidTenantError, type OutputInput } from './output.ts';

const dirs: string[] = [];
afterEach(async () => {
  await Promise.all(dirs.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
});
async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'fmo-output-'));
  dirs.push(dir);
  return dir;
}

function input(document_id: string, tenant = 'acme'): OutputInput {
  return {
    tenant,
    source: `${document_id}.md`,
    document: {
      document_id,
      format: 'markdown',
      text: 'Title\n\nBody text.',
      pages: 1,
      sections: [{ title: 'Title', text: 'Body text.' }],
      chunks: [{ index: 0, text: 'Title\n\nBody text.', tokens: 5 }],
    },
    embeddings: { model: { name: 'frostbyte-hash-tfidf-256', version: '1.0.0' }, dim: 3, vectors: [[0.6, 0.8, 0]] },
    policy: {
      model: { name: 'frostbyte-policy', version: '1.0.0' },
      decision: { classification: 'internal', topic: 'general', retention: '1y', route: 'standard-store' },
      rules_triggered: ['retention-general', 'route-standard'],
      rationale: 'Decided internal / general.',
      confidence: 0.9,
    },
  };
}

async function lines(file: string): Promise<Record<string, unknown>[]> {
  return (await readFile(file, 'utf8'))
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

describe('output stage', () => {
  it('writes one line per document to each JSONL file under <base>/<tenant>/', async () => {
    const base = await tempDir();
    const store = createOutputModel({ base_dir: base });
    const { output } = await store.invoke(input('out-doc-1'));
    expect(output.directory).toBe(join(base, 'acme'));
    expect(output.files.map((f) => f.slice(output.directory.length + 1))).toEqual([
      'chunks.jsonl',
      'embeddings.jsonl',
      'decisions.jsonl',
      'documents.jsonl',
    ]);
    const [decision] = await lines(join(base, 'acme', 'decisions.jsonl'));
    expect(decision).toMatchObject({ document_id: 'out-doc-1', tenant: 'acme', rules_triggered: ['retention-general', 'route-standard'] });
    const [embedding] = await lines(join(base, 'acme', 'embeddings.jsonl'));
    expect(embedding).toMatchObject({ model: { name: 'frostbyte-hash-tfidf-256' }, dim: 3, vectors: [[0.6, 0.8, 0]] });
    const [document] = await lines(join(base, 'acme', 'documents.jsonl'));
    expect(document).toMatchObject({ document_id: 'out-doc-1', source: 'out-doc-1.md', chunk_count: 1, text: 'Title\n\nBody text.' });
    expect(output.bytes_written).toBeGreaterThan(0);
  });

  it('never interleaves lines from concurrent documents', async () => {
    const base = await tempDir();
    const store = createOutputModel({ base_dir: base });
    const big = (id: string) => {
      const value = input(id);
      // Above Node's 512 KiB writeFile chunk, so one append becomes several write() calls.
      value.document.text = `${id} `.repeat(150_000);
      return value;
    };
    await Promise.all(Array.from({ length: 12 }, (_, i) => store.invoke(big(`out-par-${i}`))));
    for (const file of ['chunks.jsonl', 'embeddings.jsonl', 'decisions.jsonl', 'documents.jsonl']) {
      const rows = await lines(join(base, 'acme', file));
      expect(new Set(rows.map((row) => row.document_id)).size).toBe(12);
    }
  });

  it('keeps tenants in separate directories', async () => {
    const base = await tempDir();
    const store = createOutputModel({ base_dir: base });
    await store.invoke(input('out-t-1', 'tenant-a'));
    await store.invoke(input('out-t-2', 'tenant-b'));
    expect((await lines(join(base, 'tenant-a', 'documents.jsonl'))).map((r) => r.document_id)).toEqual(['out-t-1']);
    expect((await lines(join(base, 'tenant-b', 'documents.jsonl'))).map((r) => r.document_id)).toEqual(['out-t-2']);
  });

  it('refuses tenants that could escape the output directory', async () => {
    const store = createOutputModel({ base_dir: await tempDir() });
    for (const tenant of ['../etc', 'a/b', '', '..']) {
      await expect(store.invoke(input('out-bad-1', tenant))).rejects.toThrow(InvalidTenantError);
    }
  });

  it('refuses to store vectors that do not match the chunks', async () => {
    const store = createOutputModel({ base_dir: await tempDir() });
    const value = input('out-mis-1');
    value.embeddings.vectors = [];
    await expect(store.invoke(value)).rejects.toThrow(/0 vectors for 1 chunks/);
  });

  it('defaults to ./data/pipeline-output', () => {
    expect(createOutputModel().identity.config.base_dir).toBe(join(process.cwd(), 'data', 'pipeline-output'));
  });
});
