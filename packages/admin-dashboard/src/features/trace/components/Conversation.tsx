import { JsonTree } from './JsonTree.tsx';
import { RedactedText } from './RedactedText.tsx';

/** A message as the server stores a conversation (OTLP mappings, `wrapOpenAI`):
 * `{ role, content?, tool_calls?, tool_call_id?, finish_reason? }`. */
export interface ChatMessage {
  role: string;
  content?: string;
  tool_calls?: { id?: string; name: string; arguments?: unknown }[];
  tool_call_id?: string;
  finish_reason?: string;
}

const isMessage = (m: unknown): m is ChatMessage => !!m && typeof m === 'object' && typeof (m as { role?: unknown }).role === 'string';

/** The messages of a trace side (`{ messages: [...] }`), or null when it is not a conversation. */
export function messagesOf(v: unknown): ChatMessage[] | null {
  const list = v && typeof v === 'object' && !Array.isArray(v) ? (v as { messages?: unknown }).messages : undefined;
  return Array.isArray(list) && list.length > 0 && list.every(isMessage) ? list : null;
}

const ROLE_LABEL: Record<string, string> = { system: 'System', user: 'User', assistant: 'Assistant', tool: 'Tool result' };

/** Input then output messages as chat bubbles: system, user, assistant (with its tool
 * calls) and tool results, in order; the output's messages marked as the answer. */
export function Conversation({ input, output }: { input: ChatMessage[]; output: ChatMessage[] }) {
  return (
    <ol className="conversation" aria-label="Conversation">
      {input.map((m, i) => (
        // biome-ignore lint/suspicious/noArrayIndexKey: messages have no ids; a stored trace's order never changes
        <Bubble key={`in-${i}`} message={m} />
      ))}
      {output.map((m, i) => (
        // biome-ignore lint/suspicious/noArrayIndexKey: as above
        <Bubble key={`out-${i}`} message={m} answer />
      ))}
    </ol>
  );
}

function Bubble({ message: m, answer }: { message: ChatMessage; answer?: boolean }) {
  const role = ROLE_LABEL[m.role] ?? m.role;
  const label = `${role} message${answer ? ' (answer)' : ''}`;
  return (
    <li className={`bubble bubble-${ROLE_LABEL[m.role] ? m.role : 'other'}${answer ? ' bubble-answer' : ''}`} aria-label={label}>
      <div className="bubble-head">
        <strong>{role}</strong>
        {answer && <span className="muted"> · answer</span>}
        {m.tool_call_id && <span className="muted mono"> · for {m.tool_call_id}</span>}
        {m.finish_reason && <span className="muted"> · {m.finish_reason}</span>}
      </div>
      {m.content !== undefined && (
        <p className="bubble-text">
          <RedactedText text={m.content} />
        </p>
      )}
      {m.tool_calls?.map((c, i) => (
        <fieldset className="tool-call" key={c.id ?? i} aria-label={`Tool call ${c.name}`}>
          <span className="mono">
            → {c.name}
            {c.id ? ` (${c.id})` : ''}
          </span>
          {c.arguments !== undefined &&
            (typeof c.arguments === 'string' ? (
              <pre className="mono">
                <RedactedText text={c.arguments} />
              </pre>
            ) : (
              <JsonTree label={`Arguments of ${c.name}`} value={c.arguments} />
            ))}
        </fieldset>
      ))}
    </li>
  );
}
