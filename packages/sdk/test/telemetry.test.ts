import { isUuid } from '@frostbyte/contracts';
import { afterEach, describe, expect, it } from 'vitest';
import { currentContext, MemoryExporter, type Redactor, TelemetrySdk, withContext } from '../src/index.ts';
import { byInvocation, byStatus, emailRedactor, uniqueMeta } from './helpers.ts';

const sdks: TelemetrySdk[] = [];
function sdk(options: { redactor?: Redactor; countTokens?: boolean; capture?: { input?: boolean; output?: boolean } } = {}) {
  const exporter = new MemoryExporter();
  const telemetry = new TelemetrySdk({
    exporter,
    spoolDir: false,
    flushOnExit: false,
    redactor: options.redactor ?? emailRedactor,
    countTokens: options.countTokens ?? true,
    ...(options.capture ? { capture: options.capture } : {}),
  });
  sdks.push(telemetry);
  return { telemetry, exporter };
}
afterEach(async () => {
  await Promise.all(sdks.splice(0).map((t) => t.shutdown()));
});

describe('invocation lifecycle', () => {
  it('emits started then completed sharing one invocation_id, each with its own UUIDv7 id', async () => {
    const { telemetry, exporter } = sdk();
    const meta = uniqueMeta();
    const model = telemetry.wrapModel(async (text: string) => {
      await new Promise((r) => setTimeout(r, 5));
      return text.toUpperCase();
    }, meta);
    expect(await model('hello')).toBe('HELLO');
    await telemetry.flush();
    const events = exporter.getEvents();
    expect(events.map((e) => e.status)).toEqual(['started', 'completed']);
    const [started, completed] = events as [(typeof events)[0], (typeof events)[0]];
    expect(started.invocation_id).toBe(completed.invocation_id);
    expect(isUuid(started.invocation_id)).toBe(true);
    expect(started.id).not.toBe(completed.id);
    for (const e of events) {
      expect(isUuid(e.id as string)).toBe(true);
      expect(e.id?.[14]).toBe('7'); // version nibble
      expect(new Date(e.timestamp).toISOString()).toBe(e.timestamp);
      expect(e.emitted_at).toBeDefined();
      expect(e).toMatchObject({ model_name: meta.model_name, model_version: '1.0.0', stage: 'parse', operation: 'parse' });
    }
    expect(started.duration_ms).toBeUndefined();
    expect(completed.duration_ms).toBeGreaterThanOrEqual(4);
    expect(Date.parse(completed.timestamp)).toBeGreaterThanOrEqual(Date.parse(started.timestamp));
    expect(completed.trace).toEqual({ input: 'hello', output: 'HELLO' });
  });

  it('a throwing model yields `failed` with type and redacted message; the caller gets the same error', async () => {
    const { telemetry, exporter } = sdk();
    class CorruptDocumentError extends Error {}
    const thrown = new CorruptDocumentError('cannot parse file sent by jane.doe@example.com');
    const model = telemetry.wrapModel(async (_doc: string) => {
      throw thrown;
    }, uniqueMeta());
    const caught = await model('doc from jane.doe@example.com').catch((e: unknown) => e);
    expect(caught).toBe(thrown);
    expect((caught as Error).message).toBe('cannot parse file sent by jane.doe@example.com'); // untouched
    await telemetry.flush();
    const [started, failed] = exporter.getEvents();
    expect(started?.status).toBe('started');
    expect(failed?.status).toBe('failed');
    expect(failed?.invocation_id).toBe(started?.invocation_id);
    expect(failed?.error).toEqual({ type: 'CorruptDocumentError', message: 'cannot parse file sent by <EMAIL_1>' });
    expect(failed?.trace?.input).toBe('doc from <EMAIL_1>');
    expect(JSON.stringify(exporter.getEvents())).not.toContain('jane.doe@example.com');
    expect(typeof failed?.duration_ms).toBe('number');
  });

  it('by default redacts with @frostbyte/redact (or the fallback) before anything leaves the process', async () => {
    const exporter = new MemoryExporter();
    const telemetry = new TelemetrySdk({ exporter, spoolDir: false, flushOnExit: false, countTokens: false });
    sdks.push(telemetry);
    const model = telemetry.wrapModel(async (_: string) => {
      throw new Error('mail bounced for max.mustermann@example.org');
    }, uniqueMeta());
    await model('send to max.mustermann@example.org').catch(() => undefined);
    await telemetry.flush();
    const json = JSON.stringify(exporter.getEvents());
    expect(json).not.toContain('max.mustermann@example.org');
    expect(byStatus(exporter.getEvents(), 'failed')[0]?.error?.message).toMatch(/^mail bounced for <EMAIL(_\d+)?>$/);
  });

  it('a synchronously throwing model and non-Error throws are recorded too', async () => {
    const { telemetry, exporter } = sdk();
    const sync = telemetry.wrapModel((): number => {
      throw new TypeError('bad');
    }, uniqueMeta());
    await expect(sync()).rejects.toThrow(TypeError);
    const odd = telemetry.wrapModel(async () => {
      throw 'plain string';
    }, uniqueMeta());
    await expect(odd()).rejects.toBe('plain string');
    await telemetry.flush();
    expect(byStatus(exporter.getEvents(), 'failed').map((e) => e.error)).toEqual([
      { type: 'TypeError', message: 'bad' },
      { type: 'string', message: 'plain string' },
    ]);
  });

  it('reads rationale, confidence, usage and metadata from a ModelResult and returns it unchanged', async () => {
    const { telemetry, exporter } = sdk();
    const result = {
      output: { label: 'invoice' },
      usage: { input_tokens: 120, output_tokens: 7, pages: 3 },
      rationale: 'has an IBAN and a total',
      confidence: 0.93,
    };
    const model = telemetry.wrapModel(async (_: string) => result, uniqueMeta({ stage: 'policy', operation: 'classify' }));
    expect(await model('text')).toBe(result);
    await telemetry.flush();
    const completed = byStatus(exporter.getEvents(), 'completed')[0];
    expect(completed).toMatchObject({
      input_tokens: 120,
      output_tokens: 7,
      metadata: { pages: 3, token_source: 'model' },
      trace: { input: 'text', output: { label: 'invoice' }, decision_rationale: 'has an IBAN and a total', confidence_score: 0.93 },
    });
  });

  it('keeps an out-of-range confidence out of the trace (the server would reject the event)', async () => {
    const { telemetry, exporter } = sdk();
    const model = telemetry.wrapModel(async () => ({ output: 'x', confidence: 93 }), uniqueMeta());
    await model();
    await telemetry.flush();
    const completed = byStatus(exporter.getEvents(), 'completed')[0];
    expect(completed?.trace?.confidence_score).toBeUndefined();
    expect(completed?.metadata?.invalid_confidence).toBe(93);
  });

  it('observe() records an annotated invocation', async () => {
    const { telemetry, exporter } = sdk();
    let id = '';
    const value = await telemetry.observe(uniqueMeta(), async (inv) => {
      id = inv.invocation_id;
      inv.setInput({ doc: 'd' });
      inv.setUsage({ input_tokens: 5, output_tokens: 1 });
      inv.setRationale('because');
      inv.setConfidence(0.5);
      inv.setMetadata('retries', 2);
      return 'ok';
    });
    expect(value).toBe('ok');
    await telemetry.flush();
    const events = exporter.getEvents();
    expect(events.every((e) => e.invocation_id === id)).toBe(true);
    expect(events[1]).toMatchObject({
      status: 'completed',
      input_tokens: 5,
      output_tokens: 1,
      metadata: { retries: 2 },
      trace: { input: { doc: 'd' }, output: 'ok', decision_rationale: 'because', confidence_score: 0.5 },
    });
  });

  it('rejects meta the ingest schema would refuse at wrap time, not at call time', () => {
    const { telemetry } = sdk();
    expect(() => telemetry.wrapModel(async () => 1, uniqueMeta({ stage: 'has spaces' }))).toThrow(TypeError);
  });
});

describe('context', () => {
  it('propagates through awaits, timers and Promise.all', async () => {
    const { telemetry, exporter } = sdk();
    const model = telemetry.wrapModel(async (x: number) => {
      await new Promise((r) => setTimeout(r, Math.random() * 5));
      return x;
    }, uniqueMeta());
    await withContext({ tenant_id: 'acme', pipeline_run_id: 'run-1', attributes: { region: 'eu' } }, async () => {
      await model(0);
      await new Promise((r) => setTimeout(r, 1));
      await Promise.all(
        ['doc-a', 'doc-b', 'doc-c'].map((doc, i) =>
          withContext({ document_id: doc, attributes: { branch: i } }, async () => {
            await Promise.resolve();
            expect(currentContext()?.document_id).toBe(doc);
            return model(i + 1);
          }),
        ),
      );
    });
    await model(99); // outside any context
    await telemetry.flush();
    const events = exporter.getEvents();
    expect(events).toHaveLength(10);
    const docs = [...byInvocation(events).values()].map((pair) => {
      expect(new Set(pair.map((e) => e.document_id)).size).toBe(1);
      return pair[0];
    });
    expect(docs.map((e) => [e?.tenant_id, e?.pipeline_run_id, e?.document_id])).toEqual([
      ['acme', 'run-1', undefined],
      ['acme', 'run-1', 'doc-a'],
      ['acme', 'run-1', 'doc-b'],
      ['acme', 'run-1', 'doc-c'],
      [undefined, undefined, undefined],
    ]);
    expect(docs[2]?.metadata).toEqual({ region: 'eu', branch: 1 });
  });
});

describe('capture', () => {
  it('per model: capture off leaves no input or output anywhere in the events', async () => {
    const { telemetry, exporter } = sdk();
    const model = telemetry.wrapModel(
      async (_: string) => ({ output: 'SECRET-OUT', rationale: 'r', confidence: 0.9 }),
      uniqueMeta({ capture: { input: false, output: false } }),
    );
    await model('SECRET-IN');
    await telemetry.flush();
    const json = JSON.stringify(exporter.getEvents());
    expect(json).not.toContain('SECRET-IN');
    expect(json).not.toContain('SECRET-OUT');
    const completed = byStatus(exporter.getEvents(), 'completed')[0];
    expect(completed?.trace).toEqual({ decision_rationale: 'r', confidence_score: 0.9 });
    expect(completed?.input_tokens).toBeGreaterThan(0); // cost still counted
  });

  it('per call: a context flag or an observe option turns capture off; an inner "on" cannot undo it', async () => {
    const { telemetry, exporter } = sdk();
    const model = telemetry.wrapModel(async (x: string) => `${x}-out`, uniqueMeta());
    await withContext({ capture: { input: false } }, () => withContext({ capture: { input: true } }, () => model('CALL-1')));
    await telemetry.observe(uniqueMeta(), async () => 'OBS-OUT', { input: 'OBS-IN', capture: { output: false } });
    await model('CALL-2');
    await telemetry.flush();
    const traces = byStatus(exporter.getEvents(), 'completed').map((e) => e.trace);
    expect(traces).toEqual([{ output: 'CALL-1-out' }, { input: 'OBS-IN' }, { input: 'CALL-2', output: 'CALL-2-out' }]);
  });

  it('globally: config.capture', async () => {
    const { telemetry, exporter } = sdk({ capture: { output: false } });
    await telemetry.wrapModel(async (x: string) => x, uniqueMeta())('in');
    await telemetry.flush();
    expect(byStatus(exporter.getEvents(), 'completed')[0]?.trace).toEqual({ input: 'in' });
  });
});

describe('tokens', () => {
  it('uses model-reported usage when present and tiktoken (cl100k_base) otherwise', async () => {
    const { telemetry, exporter } = sdk();
    const reported = telemetry.wrapModel(
      async (_: string) => ({ output: 'x', usage: { input_tokens: 11, output_tokens: 22 } }),
      uniqueMeta(),
    );
    const plain = telemetry.wrapModel(async (_: string) => 'The quick brown fox', uniqueMeta());
    const vector = telemetry.wrapModel(async (_: string[]) => [0.1, 0.2, 0.3], uniqueMeta({ stage: 'embed', operation: 'embed' }));
    await reported('hello world');
    await plain('hello world');
    await vector(['hello world', 'hello world']);
    await telemetry.flush();
    const [a, b, c] = byStatus(exporter.getEvents(), 'completed');
    expect([a?.input_tokens, a?.output_tokens, a?.metadata?.token_source]).toEqual([11, 22, 'model']);
    // cl100k_base: "hello world" = [15339, 1917]; "The quick brown fox" = 4 tokens.
    expect([b?.input_tokens, b?.output_tokens, b?.metadata?.token_source]).toEqual([2, 4, 'tiktoken']);
    // texts are counted, vectors are not
    expect([c?.input_tokens, c?.output_tokens]).toEqual([5, undefined]);
  });

  it('counts text containing special tokens as plain text instead of failing', async () => {
    const { telemetry, exporter } = sdk();
    await telemetry.wrapModel(async (x: string) => x, uniqueMeta())('before <|endoftext|> after');
    await telemetry.flush();
    const completed = byStatus(exporter.getEvents(), 'completed')[0];
    expect(completed?.input_tokens).toBeGreaterThan(3);
    expect(telemetry.stats()).toMatchObject({ dropped: 0, failures: 0 });
  });

  it('can be turned off', async () => {
    const { telemetry, exporter } = sdk({ countTokens: false });
    await telemetry.wrapModel(async (x: string) => x, uniqueMeta())('hello world');
    await telemetry.flush();
    expect(byStatus(exporter.getEvents(), 'completed')[0]?.input_tokens).toBeUndefined();
  });
});

describe('telemetry never hurts the call', () => {
  it('a redactor that throws fails closed and is counted; the model result is unaffected', async () => {
    const { telemetry, exporter } = sdk({
      redactor: () => {
        throw new Error('redactor broke');
      },
    });
    const model = telemetry.wrapModel(async (x: string) => `${x}!`, uniqueMeta());
    expect(await model('raw pii')).toBe('raw pii!');
    await telemetry.flush();
    const completed = byStatus(exporter.getEvents(), 'completed')[0];
    expect(completed?.trace).toEqual({ input: '[redaction failed]', output: '[redaction failed]' });
    expect(telemetry.stats().failures).toBe(2);
  });

  it('an exporter that throws is counted, and calls keep working', async () => {
    const telemetry = new TelemetrySdk({
      spoolDir: false,
      flushOnExit: false,
      countTokens: false,
      exporter: {
        export: () => {
          throw new Error('exporter broke');
        },
        forceFlush: async () => {},
        shutdown: async () => {},
      },
    });
    sdks.push(telemetry);
    const model = telemetry.wrapModel(async (x: number) => x + 1, uniqueMeta());
    for (let i = 0; i < 10; i++) expect(await model(i)).toBe(i + 1);
    await telemetry.flush();
    const s = telemetry.stats();
    expect(s.failures).toBeGreaterThan(0);
    expect(s.emitted).toBe(20);
    expect(s.dropped).toBe(20); // no spool configured: counted, not silently lost
  });
});
