import { appendFile, mkdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { EmbedOutput } from './embed.ts';
import { type ModelIdentity, type StageModel, stageDelay } from './model.ts';
import type { ParseOutput } from './parse.ts';
import type { PolicyOutput } from './policy.ts';

/**
 * Output stage: stores a processed document as JSON Lines under
 * `<base_dir>/<tenant>/`, one line per document in each of
 *
 *   chunks.jsonl      chunk texts and token counts
 *   embeddings.jsonl  vectors, with the embedding model that made them
 *   decisions.jsonl   policy decision, rules fired, rationale, confidence
 *   documents.jsonl   document text, sections and metadata — written last
 *
 * `documents.jsonl` is written after the other three, so a document listed
 * there has all its rows; a crash in between leaves rows without a document
 * line, never a document line without its rows.
 */

export interface ModelRef {
  name: string;
  version: string;
}

export interface OutputInput {
  tenant: string;
  /** Where the document came from (file name, URL); stored as given. */
  source?: string;
  document: ParseOutput;
  embeddings: EmbedOutput & { model: ModelRef };
  policy: PolicyOutput & { model: ModelRef; rationale?: string; confidence?: number };
}

export interface OutputResult {
  document_id: string;
  directory: string;
  files: string[];
  bytes_written: number;
}

export type OutputConfig = {
  /** Relative paths resolve against the working directory when the model is created. */
  base_dir: string;
  delay_ms: number;
};

export const DEFAULT_OUTPUT_CONFIG: OutputConfig = Object.freeze({ base_dir: './data/pipeline-output', delay_ms: 0 });
export const OUTPUT_MODEL_NAME = 'frostbyte-jsonl-store';
export const OUTPUT_MODEL_VERSION = '1.0.0';

const TENANT_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$/;

export class InvalidTenantError extends Error {
  override readonly name = 'InvalidTenantError';
}

export function createOutputModel(overrides: Partial<OutputConfig> = {}): StageModel<OutputInput, OutputResult> {
  const config: OutputConfig = { ...DEFAULT_OUTPUT_CONFIG, ...overrides };
  const baseDir = resolve(config.base_dir);
  const identity: ModelIdentity = {
    name: OUTPUT_MODEL_NAME,
    version: OUTPUT_MODEL_VERSION,
    stage: 'output',
    operation: 'store',
    config: { ...config, base_dir: baseDir, format: 'jsonl' },
  };
  // Appends to one file are serialised so concurrent invocations never interleave
  // partial lines (fs.appendFile may split a large buffer into several writes).
  const fileQueues = new Map<string, Promise<void>>();
  const append = (file: string, line: string): Promise<void> => {
    const previous = fileQueues.get(file) ?? Promise.resolve();
    const next = previous.then(() => appendFile(file, line, 'utf8'));
    const settled = next.catch(() => undefined);
    fileQueues.set(file, settled);
    void settled.then(() => {
      if (fileQueues.get(file) === settled) fileQueues.delete(file);
    });
    return next;
  };

  return {
    identity,
    async invoke(input, signal) {
      signal?.throwIfAborted();
      if (!TENANT_PATTERN.test(input.tenant) || input.tenant.includes('..')) {
        throw new InvalidTenantError(
          `tenant '${input.tenant}' cannot name an output directory: use letters, digits, '.', '_' or '-' (max 128, no '..')`,
        );
      }
      const { document, embeddings, policy } = input;
      if (embeddings.vectors.length !== document.chunks.length) {
        throw new RangeError(
          `document ${document.document_id}: ${embeddings.vectors.length} vectors for ${document.chunks.length} chunks; refusing to store a mismatched pair`,
        );
      }
      const directory = join(baseDir, input.tenant);
      await mkdir(directory, { recursive: true });
      const stored_at = new Date().toISOString();
      const id = { document_id: document.document_id, tenant: input.tenant, stored_at };
      const rows: [string, unknown][] = [
        ['chunks.jsonl', { ...id, chunks: document.chunks }],
        ['embeddings.jsonl', { ...id, model: embeddings.model, dim: embeddings.dim, vectors: embeddings.vectors }],
        [
          'decisions.jsonl',
          {
            ...id,
            model: policy.model,
            decision: policy.decision,
            rules_triggered: policy.rules_triggered,
            rationale: policy.rationale,
            confidence: policy.confidence,
          },
        ],
        [
          'documents.jsonl',
          {
            ...id,
            source: input.source,
            format: document.format,
            pages: document.pages,
            chunk_count: document.chunks.length,
            sections: document.sections,
            text: document.text,
          },
        ],
      ];
      let bytes = 0;
      const files: string[] = [];
      for (const [name, row] of rows) {
        const line = `${JSON.stringify(row)}\n`;
        const file = join(directory, name);
        await append(file, line);
        bytes += Buffer.byteLength(line);
        files.push(file);
      }
      await stageDelay(config.delay_ms, signal);
      return { output: { document_id: document.document_id, directory, files, bytes_written: bytes } };
    },
  };
}
