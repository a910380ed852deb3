import { watch } from 'node:fs';
import { readdir, readFile, stat } from 'node:fs/promises';
import { extname, join, relative } from 'node:path';
import type { PipelineDocument } from '../run.ts';

/** The `run` command's documents: a folder's files read once, or watched. */

export async function listFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries
    .filter((e) => e.isFile() && !e.name.startsWith('.'))
    .map((e) => join(e.parentPath ?? (e as unknown as { path: string }).path, e.name))
    .sort();
}

function documentIdOf(dir: string, file: string): string {
  const rel = relative(dir, file);
  return (
    rel
      .slice(0, rel.length - extname(rel).length)
      .replaceAll('\\', '/')
      .slice(0, 256) || rel
  );
}

async function readDocument(dir: string, file: string): Promise<PipelineDocument> {
  return {
    document_id: documentIdOf(dir, file),
    filename: relative(dir, file),
    content: new Uint8Array(await readFile(file)),
    source: file,
  };
}

export async function* readDocuments(dir: string, files: string[]): AsyncGenerator<PipelineDocument> {
  for (const file of files) yield await readDocument(dir, file);
}

/**
 * Yields every existing file, then each file that appears or changes (by size and
 * mtime, after 300 ms of quiet so half-written files are not read) until `close()`.
 */
export function watchFolder(dir: string, initial: string[], onAdded: (n: number) => void) {
  const seen = new Map<string, string>();
  const queue: string[] = [...initial];
  const pending = new Map<string, NodeJS.Timeout>();
  let wake: (() => void) | undefined;
  let closed = false;
  const signature = async (file: string) => {
    const s = await stat(file).catch(() => undefined);
    return s?.isFile() ? `${s.size}:${s.mtimeMs}` : undefined;
  };
  void (async () => {
    for (const f of initial) seen.set(f, (await signature(f)) ?? '');
  })();
  const fsWatcher = watch(dir, { recursive: true }, (_event, name) => {
    if (!name || closed) return;
    const file = join(dir, name.toString());
    if (
      name
        .toString()
        .split('/')
        .some((part) => part.startsWith('.'))
    )
      return;
    clearTimeout(pending.get(file));
    pending.set(
      file,
      setTimeout(async () => {
        pending.delete(file);
        const sig = await signature(file);
        if (sig === undefined || seen.get(file) === sig) return;
        seen.set(file, sig);
        queue.push(file);
        onAdded(1);
        wake?.();
      }, 300),
    );
  });
  async function* documents(): AsyncGenerator<PipelineDocument> {
    for (;;) {
      const file = queue.shift();
      if (file !== undefined) {
        const doc = await readDocument(dir, file).catch(() => undefined); // deleted meanwhile
        if (doc) yield doc;
        continue;
      }
      if (closed) return;
      await new Promise<void>((r) => (wake = r));
      wake = undefined;
    }
  }
  return {
    documents: documents(),
    close() {
      closed = true;
      fsWatcher.close();
      for (const t of pending.values()) clearTimeout(t);
      queue.length = 0;
      wake?.();
    },
  };
}
