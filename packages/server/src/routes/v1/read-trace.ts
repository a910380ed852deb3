import type { DecisionTrace } from '@frostbyte/contracts';
import type { TraceCrypto } from '../../crypto/trace-crypto.ts';
import type { StoredTrace } from '../../storage/storage.ts';

/** Opens a stored trace for a reader. Payloads stay closed for roles that may not see
 * them and for tenants whose keys were destroyed; `readable` says which. */
export function readTrace(crypto: TraceCrypto, t: StoredTrace, canSeePayloads: boolean): DecisionTrace {
  const base = {
    event_id: t.event_id,
    tenant_id: t.tenant_id,
    timestamp: t.timestamp,
    confidence_score: t.confidence_score,
    redactions: t.redactions,
  };
  if (!canSeePayloads) return { ...base, input: null, output: null, decision_rationale: null, readable: false };
  if (t.payload) {
    const opened = crypto.open(t.tenant_id, t.event_id, 'payload', t.payload);
    if (!opened.ok || opened.text === null) return { ...base, input: null, output: null, decision_rationale: null, readable: false };
    const p = JSON.parse(opened.text) as { input?: unknown; output?: unknown; decision_rationale?: string };
    return { ...base, input: p.input ?? null, output: p.output ?? null, decision_rationale: p.decision_rationale ?? null, readable: true };
  }
  // Rows written before migrations/0015: each field sealed on its own.
  const input = crypto.open(t.tenant_id, t.event_id, 'input', t.input);
  const output = crypto.open(t.tenant_id, t.event_id, 'output', t.output);
  const rationale = crypto.open(t.tenant_id, t.event_id, 'decision_rationale', t.decision_rationale);
  if (!input.ok || !output.ok || !rationale.ok) {
    return { ...base, input: null, output: null, decision_rationale: null, readable: false };
  }
  return {
    ...base,
    input: input.text === null ? null : JSON.parse(input.text),
    output: output.text === null ? null : JSON.parse(output.text),
    decision_rationale: rationale.text,
    readable: true,
  };
}
