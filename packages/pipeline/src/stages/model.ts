import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

/**
 * The contract every pipeline stage implements: an identity that says exactly
 * which model (name, version, config) produced a result, and one async call.
 *
 * Stages know nothing about telemetry. The SDK wraps `invoke` from the outside
 * (`wrapModel(stage.identity, stage.invoke)`), so a stage must keep `invoke`
 * free of `this`-dependence on anything but its own closure and must report
 * everything an observer needs (usage, rationale, confidence) in its result.
 *
 * @example
 * const parse = createParseModel();
 * const { output, usage } = await parse.invoke({ document_id: 'd1', filename: 'a.md', content: '# Hi' });
 */

export type StageName = 'parse' | 'embed' | 'policy' | 'output';

export interface ModelIdentity {
  name: string;
  version: string;
  stage: StageName;
  /** What the call does, in the GenAI semantic-convention sense (`embeddings`, `extract_text`, …). */
  operation: string;
  /** Everything that changes behaviour; two identities with equal name+version+config behave the same. */
  config: Record<string, unknown>;
}

export interface Usage {
  input_tokens?: number;
  output_tokens?: number;
  pages?: number;
}

export interface ModelResult<O> {
  output: O;
  usage?: Usage;
  rationale?: string;
  /** 0..1 */
  confidence?: number;
}

export interface StageModel<I, O> {
  identity: ModelIdentity;
  invoke(input: I, signal?: AbortSignal): Promise<ModelResult<O>>;
}

/**
 * Artificial latency for a stage (the `delay_ms` knob every stage config has).
 * Exists so tests and demos can make one stage the bottleneck on purpose.
 * Rejects with the signal's reason when aborted, so a cancelled run stops waiting.
 */
export function stageDelay(ms: number, signal?: AbortSignal): Promise<void> {
  signal?.throwIfAborted();
  if (!(ms > 0)) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

const require = createRequire(import.meta.url);

/**
 * Version of an installed dependency, read from its own package.json.
 * Resolves the package entry and walks up because many packages (unpdf, js-tiktoken)
 * do not export `./package.json`.
 */
export function installedPackageVersion(packageName: string): string {
  let dir = dirname(require.resolve(packageName));
  for (;;) {
    try {
      const manifest = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { name?: string; version?: string };
      if (manifest.name === packageName && typeof manifest.version === 'string') return manifest.version;
    } catch {
      // no package.json at this level; keep walking up
    }
    const parent = dirname(dir);
    if (parent === dir) return 'unknown';
    dir = parent;
  }
}
