import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import { FAMILIES, RUNNERS, registerContextOnce } from './libraries.ts';
import { startOpenAiCompatibleServer } from './openai-compatible-server.ts';

/**
 * Records the fixtures the mapping unit tests read: each family's real library runs
 * against the local OpenAI-compatible server, and the official OTLP/HTTP JSON exporter
 * sends its spans to a capture endpoint; what it sent is written as `<family>.json`.
 * So the fixtures are the libraries' own output, byte for byte what a collector gets.
 *
 *   npx tsx packages/server/test/otlp-fixtures/record.ts
 */

async function capture(): Promise<{ url: string; bodies: unknown[]; close: () => void }> {
  const bodies: unknown[] = [];
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c) => {
      body += c;
    });
    req.on('end', () => {
      bodies.push(JSON.parse(body));
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1/traces`, bodies, close: () => server.close() };
}

registerContextOnce();
const model = await startOpenAiCompatibleServer();
for (const family of FAMILIES) {
  const sink = await capture();
  const provider = new NodeTracerProvider({
    resource: resourceFromAttributes({ 'service.name': `fixture-${family}` }),
    spanProcessors: [new SimpleSpanProcessor(new OTLPTraceExporter({ url: sink.url }))],
  });
  await RUNNERS[family](provider, model.baseURL, `doc-${family}-1`);
  await provider.forceFlush();
  await provider.shutdown();
  sink.close();
  // One span per export (SimpleSpanProcessor): merged into one request, in end order.
  const resourceSpans = (sink.bodies as { resourceSpans: unknown[] }[]).flatMap((b) => b.resourceSpans);
  const file = path.join(import.meta.dirname, `${family}.json`);
  fs.writeFileSync(file, `${JSON.stringify({ resourceSpans }, null, 1)}\n`);
  console.log(`${family}: ${resourceSpans.length} exports → ${path.relative(process.cwd(), file)}`);
}
await model.close();
