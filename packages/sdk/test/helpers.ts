import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ModelEventInput } from '@frostbyte/contracts';
import type { ModelMeta } from '../src/index.ts';

let seq = 0;
/** Unique model meta per test, so parallel tests never read each other's events. */
export function uniqueMeta(overrides: Partial<ModelMeta> = {}): ModelMeta {
  seq++;
  return {
    model_name: `test-model-${process.pid}-${seq}`,
    model_version: '1.0.0',
    stage: 'parse',
    operation: 'parse',
    ...overrides,
  };
}

export const tempSpoolDir = (): Promise<string> => mkdtemp(join(tmpdir(), 'fmo-spool-test-'));

export async function waitFor(check: () => boolean, timeoutMs = 5_000, what = 'condition'): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

export const byStatus = (events: readonly ModelEventInput[], status: string) => events.filter((e) => e.status === status);

/** Events grouped by invocation, for asserting pairs. */
export function byInvocation(events: readonly ModelEventInput[]): Map<string, ModelEventInput[]> {
  const map = new Map<string, ModelEventInput[]>();
  for (const e of events) {
    const list = map.get(e.invocation_id) ?? [];
    list.push(e);
    map.set(e.invocation_id, list);
  }
  return map;
}

/** A redactor that replaces emails with numbered placeholders, per event scope. */
export function emailRedactor(value: unknown, scope: object): unknown {
  const s = scope as { n?: number; seen?: Map<string, string> };
  const walk = (v: unknown): unknown => {
    if (typeof v === 'string') {
      return v.replace(/[\w.+-]+@[\w.-]+\.\w+/g, (m) => {
        s.seen ??= new Map();
        let p = s.seen.get(m);
        if (p === undefined) {
          s.n = (s.n ?? 0) + 1;
          p = `<EMAIL_${s.n}>`;
          s.seen.set(m, p);
        }
        return p;
      });
    }
    if (Array.isArray(v)) return v.map(walk);
    if (v !== null && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, walk(x)]));
    return v;
  };
  return walk(value);
}
