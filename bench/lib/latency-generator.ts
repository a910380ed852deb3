/**
 * Child process of bench/latency.ts: an open-loop load of model calls through the SDK
 * (`observe`, default batching: ≤ 500 events or 25 ms per POST). Calls are issued on a
 * fixed schedule whatever the server does, and each carries its *scheduled* time in
 * metadata (`t`), so a generator that falls behind shows up as latency instead of
 * hiding it (no coordinated omission).
 *
 *   FMO_ENDPOINT=… RATE=5000 SECONDS=20 node --import tsx bench/lib/latency-generator.ts
 * RATE counts events (a call is two: started + completed). Prints one JSON line.
 */
import os from 'node:os';
import path from 'node:path';
import { TelemetrySdk, withContext } from '@frostbyte/telemetry';
import { epochMs } from './common.ts';

const rate = Number(process.env.RATE ?? 1000);
const seconds = Number(process.env.SECONDS ?? 10);
const callsPerMs = rate / 2 / 1000;
const sdk = new TelemetrySdk({
  endpoint: process.env.FMO_ENDPOINT,
  apiKey: process.env.FMO_API_KEY,
  spoolDir: path.join(os.tmpdir(), `fmo-lat-spool-${process.pid}`),
  flushOnExit: false,
  countTokens: false,
  warn: (m) => console.error(`[generator] ${m}`),
});
const meta = { model_name: 'latency-model', model_version: '1.0.0', stage: 'parse', operation: 'parse' } as const;
let issued = 0;
let maxBehindMs = 0;
const start = epochMs();
const end = start + seconds * 1000;
await withContext({ tenant_id: process.env.TENANT ?? 'latency', pipeline_run_id: process.env.RUN ?? 'latency' }, async () => {
  while (epochMs() < end) {
    const now = epochMs();
    const due = Math.floor((now - start) * callsPerMs);
    // Lag after the 2 s warm-up (JIT, connection set-up) is what saturation looks like.
    if (due - issued > 0 && now - start > 2000) maxBehindMs = Math.max(maxBehindMs, (due - issued) / callsPerMs);
    while (issued < due) {
      const t = start + issued / callsPerMs;
      issued++;
      void sdk.observe(meta, (inv) => {
        inv.setMetadata('t', t);
        inv.setUsage({ input_tokens: 100, output_tokens: 10 });
        return 'ok';
      });
    }
    await new Promise((r) => setTimeout(r, 1));
  }
});
await sdk.flush();
const stats = sdk.stats();
await sdk.shutdown();
console.log(JSON.stringify({ issued, maxBehindMs: Math.round(maxBehindMs), stats }));
process.exit(0);
