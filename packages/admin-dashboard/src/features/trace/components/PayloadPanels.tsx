import type { DecisionTrace } from '@frostbyte/contracts';
import { Conversation, messagesOf } from './Conversation.tsx';
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
  // A chat call (OTLP GenAI / OpenInference / OpenLLMetry / AI SDK, wrapOpenAI): the
  // messages as a conversation, the JSON one click away.
  const inMessages = messagesOf(trace.input);
  const outMessages = messagesOf(trace.output);
  const chat = inMessages !== null || outMessages !== null;
  const notice = redactions.length > 0 && <RedactionNotice redactions={redactions} />;
  if (chat)
    return (
      <>
        {notice}
        <Conversation input={inMessages ?? []} output={outMessages ?? []} />
        <details className="payload-json">
          <summary>Input and output as JSON</summary>
          <Panels input={trace.input} output={trace.output} />
        </details>
      </>
    );
  return (
    <>
      {notice}
      <Panels input={trace.input} output={trace.output} />
      {before !== null && after !== null && <TextDiff before={before} after={after} />}
    </>
  );
}

function Panels({ input, output }: { input: unknown; output: unknown }) {
  const trace = { input, output };
  return (
    <>
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
    </>
  );
}

/** What was redacted, by type and by recognizer: the server counts each user
 * recognizer's hits under `recognizer:<name>`; the rest are the built-in detectors. */
export function RedactionNotice({ redactions }: { redactions: Array<[string, number]> }) {
  const byType = redactions.filter(([k]) => !k.startsWith('recognizer:'));
  const byRecognizer = redactions.filter(([k]) => k.startsWith('recognizer:')).map(([k, n]) => [k.slice('recognizer:'.length), n] as const);
  const total = byType.reduce((sum, [, n]) => sum + n, 0);
  const custom = byRecognizer.reduce((sum, [, n]) => sum + n, 0);
  const recognizers = [...byRecognizer.map(([k, n]) => `${k} ${n}`), ...(total > custom ? [`built-in detectors ${total - custom}`] : [])];
  return (
    <p className="muted" data-testid="redaction-notice">
      Redacted before storage — by type: {byType.map(([k, n]) => `${n} × ${k}`).join(', ')}; by recognizer: {recognizers.join(', ')}.
      Placeholders are <mark className="redaction">marked</mark>.
    </p>
  );
}
