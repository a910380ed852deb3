import { initTelemetry, shutdownTelemetry } from '@frostbyte/telemetry';
import cliProgress from 'cli-progress';
import { awaitStoredEvents, drainTelemetry, runLoad, type StoredCount } from '../load.ts';
import { newRunId } from '../run.ts';
import { diffStats, fmtMs, printLoadResult } from './output.ts';

/** `npm run pipeline -- load`: generated documents at a given concurrency for a given
 * time, then "invocations made vs events stored" from the server. */

export interface LoadCommand {
  tenant: string;
  endpoint: string;
  apiKey: string | undefined;
  concurrency: number;
  durationMs: number;
  latencyMs: number;
  seed: number;
  verify: boolean;
}

export async function loadCommand(o: LoadCommand): Promise<number> {
  const telemetry = initTelemetry({ endpoint: o.endpoint, apiKey: o.apiKey });
  const before = telemetry.stats();
  const pipelineRunId = newRunId();
  console.error(
    `load: ${o.concurrency} concurrent model operations for ${fmtMs(o.durationMs)} on generated documents (seed ${o.seed}), ` +
      `${o.latencyMs} ms simulated inference latency per stage, tenant ${o.tenant}, run ${pipelineRunId}`,
  );
  const bar = new cliProgress.SingleBar(
    {
      format:
        ' {bar} {phase} {duration_formatted} | documents {docs} (failed {failed}) · model calls started {invocations} · in flight {in_flight} (peak {peak})',
      barsize: 24,
      hideCursor: true,
      noTTYOutput: !process.stderr.isTTY,
      notTTYSchedule: 5000,
      stream: process.stderr,
    },
    cliProgress.Presets.shades_classic,
  );
  bar.start(Math.ceil(o.durationMs / 1000), 0, { phase: 'running', docs: 0, invocations: 0, in_flight: 0, peak: 0, failed: 0 });
  const result = await runLoad({
    concurrency: o.concurrency,
    durationMs: o.durationMs,
    tenant: o.tenant,
    seed: o.seed,
    latencyMs: o.latencyMs,
    telemetry,
    pipelineRunId,
    onProgress: (p) =>
      bar.update(Math.min(Math.floor(p.elapsed_ms / 1000), bar.getTotal()), {
        phase: p.phase === 'running' ? 'running ' : 'draining',
        docs: p.documents,
        invocations: p.invocations,
        in_flight: p.in_flight,
        peak: p.peak_in_flight,
        failed: p.failed,
      }),
  });
  bar.update(bar.getTotal());
  bar.stop();
  console.error('load: flushing telemetry…');
  const drained = await drainTelemetry(telemetry, 120_000);
  const stats = diffStats(before, telemetry.stats());
  let stored: StoredCount | undefined;
  let verifyError: string | undefined;
  if (o.verify) {
    console.error('load: counting the events the server stored for this run…');
    try {
      stored = await awaitStoredEvents({
        endpoint: o.endpoint,
        apiKey: o.apiKey,
        tenant: o.tenant,
        documentPrefix: result.document_prefix,
        pipelineRunId,
        expected: result.events_expected,
        timeoutMs: 30_000,
      });
    } catch (error) {
      verifyError = (error as Error).message;
    }
  }
  printLoadResult(result, stats, { drained, stored, verifyError });
  await shutdownTelemetry();
  return stored === undefined ? (o.verify ? 1 : 0) : stored.stored === result.events_expected && stored.rows === stored.stored ? 0 : 1;
}
