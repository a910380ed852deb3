// Scratch: cost of the export step per event (build + stringify).
import { buildEvent } from '../src/event-builder.ts';
import { COMPLETED, Invocation, STARTED } from '../src/invocation.ts';
import { fallbackRedact } from '../src/redaction.ts';
import { TokenCounter } from '../src/tokens.ts';

const meta = { model_name: 'm', model_version: '1', stage: 'parse', operation: 'parse' };
const env = { redaction: { name: 'f', redact: fallbackRedact, newScope: () => ({}) }, tokens: new TokenCounter(), capture: undefined, countTokens: false, onFailure: () => {} };
for (let round = 0; round < 30; round++) {
  const invs = Array.from({ length: 5000 }, (_, i) => {
    const inv = new Invocation(meta, { tenant_id: 'acme', document_id: 'doc' }, [i], undefined);
    inv.end();
    inv.result = i;
    return inv;
  });
  let t = performance.now();
  const events = [];
  for (const inv of invs) {
    events.push(buildEvent({ invocation: inv, kind: STARTED }, env));
    events.push(buildEvent({ invocation: inv, kind: COMPLETED }, env));
  }
  const tb = performance.now() - t;
  t = performance.now();
  const s = JSON.stringify(events);
  const ts = performance.now() - t;
  console.log(`build ${(tb * 1000 / 10000).toFixed(2)} µs/event, stringify ${(ts * 1000 / 10000).toFixed(2)} µs/event, ${s.length / 10000} B/event`);
}
