import type { ModelEventInput } from '@frostbyte/contracts';
import { type EventExporter, type ExportResult, ExportResultCode } from './exporter.ts';

/** Keeps exported events in memory, for tests and the demo (as OTel's `InMemorySpanExporter`). */
export class MemoryExporter implements EventExporter {
  #events: ModelEventInput[] = [];
  #stopped = false;

  async export(events: readonly ModelEventInput[]): Promise<ExportResult> {
    if (this.#stopped) return { code: ExportResultCode.FAILED, retryable: true, error: new Error('exporter is shut down') };
    for (const e of events) this.#events.push(e);
    return { code: ExportResultCode.SUCCESS, accepted: events.length };
  }

  /** Every event exported so far, in export order. */
  getEvents(): readonly ModelEventInput[] {
    return this.#events;
  }

  reset(): void {
    this.#events = [];
  }

  async forceFlush(): Promise<void> {}

  async shutdown(): Promise<void> {
    this.#stopped = true;
  }
}
