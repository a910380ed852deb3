import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fetch, startServer } from '../helper.ts';

/**
 * Issue 12, item 6: every integer/number query parameter of every route has bounds.
 * The routes and their parameters are read from the server's own OpenAPI document, so
 * a route added later is probed too. Each hostile value must be a 4xx whose message
 * names the parameter, never a 500.
 */
const HOSTILE = ['1e400', '-1e400', '-1', '1.5', '1e20', '0', 'NaN', 'abc'];

type Param = { name: string; in: string; schema?: { type?: string; minimum?: number; maximum?: number } };
type Op = { parameters?: Param[] };

describe('numeric query parameters are bounded on every route', () => {
  let s: Awaited<ReturnType<typeof startServer>>;
  beforeAll(async () => {
    s = await startServer('server');
  });
  afterAll(async () => {
    await s?.close();
  });

  it('declares a minimum and a maximum for each, and answers hostile values with a 4xx naming it', async () => {
    const doc = (await (await fetch(`${s.url}/openapi.json`)).json()) as { paths: Record<string, Record<string, Op>> };
    const unbounded: string[] = [];
    const failures: string[] = [];
    let probed = 0;
    for (const [path, ops] of Object.entries(doc.paths)) {
      for (const [method, op] of Object.entries(ops)) {
        if (method !== 'get') continue; // writes take their numbers in bodies
        const concrete = path.replace(/\{[^}]+\}/g, '00000000-0000-7000-8000-000000000000');
        for (const p of op.parameters ?? []) {
          if (p.in !== 'query' || (p.schema?.type !== 'integer' && p.schema?.type !== 'number')) continue;
          if (p.schema.minimum === undefined || p.schema.maximum === undefined)
            unbounded.push(`${method.toUpperCase()} ${path} ?${p.name}`);
          for (const v of HOSTILE) {
            const value = v;
            // A value inside the range is not hostile (e.g. 0 where 0 is allowed).
            const n = Number(value);
            if (
              Number.isFinite(n) &&
              n >= (p.schema.minimum ?? -Infinity) &&
              n <= (p.schema.maximum ?? Infinity) &&
              (p.schema.type === 'number' || Number.isInteger(n))
            )
              continue;
            const res = await fetch(`${s.url}${concrete}?${p.name}=${encodeURIComponent(value)}`);
            probed++;
            const body = (await res.json().catch(() => ({}))) as { message?: string };
            if (res.status < 400 || res.status >= 500 || !String(body.message ?? '').includes(p.name))
              failures.push(
                `${method.toUpperCase()} ${path} ?${p.name}=${value} → ${res.status} ${String(body.message ?? '').slice(0, 120)}`,
              );
          }
        }
      }
    }
    console.log(`[query-bounds] probed ${probed} hostile values; unbounded: ${unbounded.length}; failures: ${failures.length}`);
    expect(probed).toBeGreaterThan(0);
    expect(unbounded).toEqual([]);
    expect(failures).toEqual([]);
  }, 120_000);
});
