import type { DecisionTrace } from '@frostbyte/contracts';
import { JsonTree } from './JsonTree.tsx';
import { TextDiff, textOf } from './TextDiff.tsx';

/** Input and output side by side, then a text diff when both are text. */
export function PayloadPanels({ trace, started }: { trace: DecisionTrace | null; started?: boolean }) {
  if (!trace)
    return (
      <p className="muted">
        {started
          ? 'This is the start of the call: its input and output are on the completed or failed event (see the invocation timeline).'
          : 'This call recorded no input or output.'}
      </p>
    );
  if (!trace.readable)
    return (
      <p className="banner banner-info" role="note">
        The input and output are not readable: your role may not see payloads, or the tenant's key was destroyed (crypto-shredded).
      </p>
    );
  const redactions = Object.entries(trace.redactions ?? {});
  const before = textOf(trace.input);
  const after = textOf(trace.output);
  return (
    <>
      {redactions.length > 0 && (
        <p className="muted">
          Redacted before storage: {redactions.map(([k, n]) => `${n} × ${k}`).join(', ')}. Placeholders are{' '}
          <mark className="redaction">marked</mark>.
        </p>
      )}
      <div className="payloads">
        <section aria-labelledby="input-title" className="payload">
          <h3 id="input-title">Input</h3>
          <JsonTree label="Input" value={trace.input} />
        </section>
        <section aria-labelledby="output-title" className="payload">
          <h3 id="output-title">Output</h3>
          <JsonTree label="Output" value={trace.output} />
        </section>
      </div>
      {before !== null && after !== null && <TextDiff before={before} after={after} />}
    </>
  );
}
